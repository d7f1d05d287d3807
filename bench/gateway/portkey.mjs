/**
 * Runs Portkey's node build (`@portkey-ai/gateway`'s build/start-server.js) in this process for
 * bench/gateway, with an IPC channel to the benchmark so that Portkey stops when the benchmark does,
 * even if the benchmark was killed. Portkey's CPU time and peak RSS are this process's.
 *
 *   node bench/gateway/portkey.mjs <path to start-server.js> --headless --port=<port>
 */
import { pathToFileURL } from 'node:url';

const [entry, ...flags] = process.argv.slice(2);
if (!entry) {
  console.error('usage: node bench/gateway/portkey.mjs <start-server.js> [--headless] [--port=N]');
  process.exit(2);
}
process.on('disconnect', () => process.exit(0));
process.on('message', (message) => {
  if (message === 'stop') process.exit(0);
});
// start-server.js reads its flags from process.argv.
process.argv = [process.argv[0], entry, ...flags];
await import(pathToFileURL(entry).href);
