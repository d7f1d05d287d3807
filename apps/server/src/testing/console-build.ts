import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const WEB = join(dirname(fileURLToPath(import.meta.url)), '../../../web');

function newestChange(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((entry) => newestChange(join(path, entry))));
}

/** Builds the console when its build is missing or older than its sources (browser tests serve it). */
export function ensureConsoleBuilt(): void {
  if (!existsSync(join(WEB, 'index.html'))) return;
  const built = join(WEB, 'dist/index.html');
  const sources = Math.max(newestChange(join(WEB, 'src')), newestChange(join(WEB, 'index.html')));
  if (existsSync(built) && statSync(built).mtimeMs >= sources) return;
  const result = spawnSync('npm', ['run', 'build', '-w', '@atrium/web'], { cwd: join(WEB, '../..'), stdio: 'pipe' });
  // Only the browser tests need the build; they fail on their own if it is missing.
  if (result.status !== 0) console.warn(`The console build failed:\n${result.stdout}${result.stderr}`);
}
