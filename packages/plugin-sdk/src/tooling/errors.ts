/** One problem with a manifest or bundle; `path` names the field, e.g. `capabilities[0].name`. */
export interface PluginIssue {
  path: string;
  message: string;
}

/** Why building, packing or signing failed. */
export type PluginToolingErrorCode = 'invalid_manifest' | 'invalid_bundle' | 'build_failed' | 'not_found' | 'too_large';

/**
 * A failure of building, packing or signing a plugin. `issues` lists what is wrong, field by
 * field, for `invalid_manifest` and `invalid_bundle`.
 *
 * @example
 * try { await buildPlugin({ dir }) } catch (error) {
 *   if (error instanceof PluginToolingError && error.code === 'invalid_manifest') console.error(error.issues);
 * }
 */
export class PluginToolingError extends Error {
  constructor(
    readonly code: PluginToolingErrorCode,
    message: string,
    readonly issues: readonly PluginIssue[] = [],
  ) {
    super(message);
    this.name = 'PluginToolingError';
  }
}

/**
 * A zod-style path as text: keys joined by dots, indexes in brackets.
 *
 * @example
 * formatPath(['capabilities', 0, 'name']); // 'capabilities[0].name'
 */
export function formatPath(path: readonly PropertyKey[]): string {
  let text = '';
  for (const part of path) {
    if (typeof part === 'number') text += `[${part}]`;
    else text += text === '' ? String(part) : `.${String(part)}`;
  }
  return text === '' ? '(root)' : text;
}
