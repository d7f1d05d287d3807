import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { StartupError } from '../errors.ts';
import type { Logger } from '../telemetry/logger.ts';

/**
 * The master key: `ATRIUM_MASTER_KEY` when set. In embedded mode a key is generated into the data
 * directory on first start (with a warning: losing that file loses every encrypted secret). With
 * an external database it must be configured, because every node must share it.
 */
export function resolveMasterKey(options: { configured?: string; embedded: boolean; dataDir: string; log: Logger }): string {
  if (options.configured) return options.configured;
  if (!options.embedded) {
    throw new StartupError('ATRIUM_MASTER_KEY is required when DATABASE_URL is set (32 random bytes, base64: `openssl rand -base64 32`).');
  }
  const path = join(options.dataDir, 'master.key');
  if (existsSync(path)) return readFileSync(path, 'utf8').trim();
  mkdirSync(options.dataDir, { recursive: true });
  const key = randomBytes(32).toString('base64');
  writeFileSync(path, `${key}\n`, { mode: 0o600 });
  options.log.warn({ path }, 'generated a master key in the data directory; back it up, or set ATRIUM_MASTER_KEY');
  return key;
}
