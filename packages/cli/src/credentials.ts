import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CliError } from './output.ts';

/** What `atrium login` keeps between runs. */
export interface StoredCredentials {
  url: string;
  access_token: string;
  refresh_token: string;
}

/**
 * The credentials file inside a configuration directory.
 *
 * @example
 * credentialsPath('/home/ada/.config/atrium'); // '/home/ada/.config/atrium/credentials.json'
 */
export function credentialsPath(configDirectory: string): string {
  return join(configDirectory, 'credentials.json');
}

const isMissing = (error: unknown) => (error as NodeJS.ErrnoException)?.code === 'ENOENT';

/**
 * Reads the stored session, or `undefined` when there is none.
 *
 * @example
 * const stored = await readCredentials(environment.configDirectory);
 * if (stored) console.log(stored.url);
 */
export async function readCredentials(configDirectory: string): Promise<StoredCredentials | undefined> {
  const path = credentialsPath(configDirectory);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
  try {
    const parsed = JSON.parse(text) as Partial<StoredCredentials>;
    if (typeof parsed.url === 'string' && typeof parsed.access_token === 'string' && typeof parsed.refresh_token === 'string') {
      return { url: parsed.url, access_token: parsed.access_token, refresh_token: parsed.refresh_token };
    }
  } catch {
    // reported below
  }
  throw new CliError(`${path} is not a valid credentials file; run \`atrium logout\` and sign in again`);
}

/**
 * Stores a session, readable by the owner only (directory 0700, file 0600), replacing it atomically.
 *
 * @example
 * await saveCredentials(dir, { url: 'http://localhost:3000', access_token: '…', refresh_token: 'rt_…' });
 */
export async function saveCredentials(configDirectory: string, credentials: StoredCredentials): Promise<void> {
  await mkdir(configDirectory, { recursive: true, mode: 0o700 });
  const path = credentialsPath(configDirectory);
  const temporary = `${path}.${process.pid}.tmp`;
  const { url, access_token, refresh_token } = credentials;
  await writeFile(temporary, `${JSON.stringify({ url, access_token, refresh_token }, null, 2)}\n`, { mode: 0o600 });
  await chmod(temporary, 0o600);
  await rename(temporary, path);
}

/**
 * Deletes the stored session; answers whether there was one.
 *
 * @example
 * if (!(await deleteCredentials(dir))) console.log('not logged in');
 */
export async function deleteCredentials(configDirectory: string): Promise<boolean> {
  try {
    await rm(credentialsPath(configDirectory));
    return true;
  } catch (error) {
    if (isMissing(error)) return false;
    throw error;
  }
}
