/**
 * Runs Atrium for bench/gateway in a process of its own, so its CPU time and peak RSS can be read
 * from /proc apart from the load generator's and the mock upstream's. Started by run.ts as
 *
 *   node --import tsx bench/gateway/atrium.ts '<JSON of configuration variables>'
 *
 * with an IPC channel: it sends `{ base }` once listening, and on `'stop'` (or when the channel
 * closes because the parent died) closes the app and exits, so `--cpu-prof` can write its profile.
 * It reads no environment of its own: everything comes from the argument.
 */
import { createAtrium } from '../../apps/server/src/app.ts';
import { parseConfig } from '../../apps/server/src/config.ts';

const variables = JSON.parse(process.argv[2] ?? '{}') as Record<string, string>;
const atrium = await createAtrium(parseConfig(variables), { serveConsole: false });
const base = await atrium.start();
if (!base) throw new Error('Atrium did not listen');

let stopping = false;
async function stop(code: number) {
  if (stopping) return;
  stopping = true;
  // Bounded: a stuck close must not keep the benchmark (or its database) alive.
  setTimeout(() => process.exit(1), 10_000).unref();
  try {
    await atrium.close();
  } catch (error) {
    console.error('closing Atrium failed:', error);
    code = 1;
  }
  process.exit(code);
}

process.on('message', (message) => {
  if (message === 'stop') void stop(0);
});
process.on('disconnect', () => void stop(0));
process.on('SIGTERM', () => void stop(0));
process.on('SIGINT', () => void stop(0));
process.send?.({ base });
