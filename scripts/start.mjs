// `npm start`: builds the console once if it has not been built, then runs the platform.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
if (!existsSync('apps/web/dist/index.html')) {
  console.log('Building the console (first start only)…');
  const build = spawnSync(npm, ['run', 'build', '-w', '@atrium/web'], { stdio: 'inherit' });
  if (build.status !== 0) console.warn('The console build failed; the API still starts.');
}
const server = spawnSync(process.execPath, ['apps/server/bin/atrium-server.mjs', ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(server.status ?? 1);
