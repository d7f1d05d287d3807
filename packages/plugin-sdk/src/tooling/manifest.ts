import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PluginManifest } from '@atrium/contracts';
import { formatPath, type PluginIssue, PluginToolingError } from './errors.ts';
import { parseRange } from './semver.ts';

/** The manifest's file name in a plugin's directory. */
export const MANIFEST_FILE = 'atrium.plugin.json';

/** `validateManifest`'s answer: the parsed manifest, or every issue found. */
export type ManifestValidation =
  | { valid: true; manifest: PluginManifest; issues: [] }
  | { valid: false; manifest: null; issues: PluginIssue[] };

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

/** Checks the contract cannot express: a range we can evaluate, settings whose defaults fit. */
function extraIssues(json: Record<string, unknown>): PluginIssue[] {
  const issues: PluginIssue[] = [];
  const range = isObject(json.engines) ? json.engines.atrium : undefined;
  if (typeof range === 'string' && range.trim() !== '' && parseRange(range) === null) {
    issues.push({ path: 'engines.atrium', message: `${JSON.stringify(range)} is not a version range (try ^0.1, ~1.2.0, >=1.0.0 or *)` });
  }
  const settings = Array.isArray(json.settings) ? json.settings : [];
  settings.forEach((setting, index) => {
    if (!isObject(setting)) return;
    const options = Array.isArray(setting.options) ? setting.options : undefined;
    if (setting.type === 'select' && !options?.length) {
      issues.push({ path: `settings[${index}].options`, message: 'a select setting needs options' });
    }
    if (setting.default === undefined) return;
    const expected = setting.type === 'number' ? 'number' : setting.type === 'boolean' ? 'boolean' : 'string';
    if (typeof setting.default !== expected) {
      issues.push({
        path: `settings[${index}].default`,
        message: `the default of a ${String(setting.type)} setting must be a ${expected}`,
      });
    } else if (setting.type === 'select' && options && !options.includes(setting.default)) {
      issues.push({ path: `settings[${index}].default`, message: 'the default must be one of the options' });
    }
  });
  return issues;
}

/**
 * Validates a manifest (parsed JSON) against the contract, plus the checks only tooling can make
 * (the `engines.atrium` range parses; setting defaults fit their type). On success `manifest` has
 * every default filled in: it is what gets packed.
 *
 * @example
 * const result = validateManifest(JSON.parse(text));
 * if (!result.valid) for (const issue of result.issues) console.error(`${issue.path}: ${issue.message}`);
 */
export function validateManifest(json: unknown): ManifestValidation {
  if (!isObject(json)) return { valid: false, manifest: null, issues: [{ path: '(root)', message: 'the manifest must be a JSON object' }] };
  const parsed = PluginManifest.safeParse(json);
  const issues: PluginIssue[] = parsed.success
    ? []
    : parsed.error.issues.map((issue) => ({ path: formatPath(issue.path), message: issue.message }));
  const known = new Set(issues.map((issue) => issue.path));
  issues.push(...extraIssues(json).filter((issue) => !known.has(issue.path)));
  if (parsed.success && issues.length === 0) return { valid: true, manifest: parsed.data, issues: [] };
  return { valid: false, manifest: null, issues };
}

/**
 * Reads and validates `<dir>/atrium.plugin.json`; throws `PluginToolingError` (`not_found`,
 * `invalid_manifest` with the issues).
 *
 * @example
 * const manifest = await readManifest('./my-plugin');
 */
export async function readManifest(dir: string): Promise<PluginManifest> {
  const file = join(dir, MANIFEST_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new PluginToolingError('not_found', `${file} does not exist`);
    throw error;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    const issue = { path: '(root)', message: `not valid JSON: ${(error as Error).message}` };
    throw new PluginToolingError('invalid_manifest', `${file} is not valid JSON`, [issue]);
  }
  const result = validateManifest(json);
  if (!result.valid) {
    throw new PluginToolingError('invalid_manifest', `${file} is invalid (${describeCount(result.issues.length)})`, result.issues);
  }
  return result.manifest;
}

/** `1 issue`, `3 issues`. */
export const describeCount = (count: number) => `${count} issue${count === 1 ? '' : 's'}`;
