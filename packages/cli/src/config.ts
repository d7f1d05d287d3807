import { homedir } from 'node:os';
import { join } from 'node:path';

/** Where the CLI talks to when nothing else says: a local `npm start`. */
export const DEFAULT_URL = 'http://localhost:3000';

/** The settings the CLI takes from environment variables. docs/cli.md lists each one. */
export interface CliEnvironment {
  /** `ATRIUM_URL`: the server, unless `--url` says otherwise. */
  readonly url: string | undefined;
  /** `ATRIUM_API_KEY`: used unless `--api-key` is given. */
  readonly apiKey: string | undefined;
  /** `ATRIUM_CONFIG_DIR`: holds `credentials.json`; default `~/.config/atrium`. */
  readonly configDirectory: string;
}

const present = (value: string | undefined) => (value?.trim() ? value.trim() : undefined);

/**
 * Parses a set of environment variables into the CLI's settings (pure: for tests and embedding).
 *
 * @example
 * const environment = parseEnvironment({ ATRIUM_URL: 'https://atrium.example.com', HOME: '/home/ada' });
 * environment.configDirectory; // '/home/ada/.config/atrium'
 */
export function parseEnvironment(variables: Readonly<Record<string, string | undefined>>): CliEnvironment {
  return Object.freeze({
    url: present(variables.ATRIUM_URL),
    apiKey: present(variables.ATRIUM_API_KEY),
    configDirectory: present(variables.ATRIUM_CONFIG_DIR) ?? join(present(variables.HOME) ?? homedir(), '.config', 'atrium'),
  });
}

let processEnvironment: CliEnvironment | undefined;

/**
 * This process's settings, parsed once. The only place the CLI reads `process.env`.
 *
 * @example
 * const { url, apiKey, configDirectory } = loadEnvironment();
 */
export function loadEnvironment(): CliEnvironment {
  processEnvironment ??= parseEnvironment(process.env);
  return processEnvironment;
}
