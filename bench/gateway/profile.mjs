/**
 * Summarises a V8 CPU profile (`node --cpu-prof`, e.g. Atrium's under `BENCH_CPU_PROF=<dir>
 * npm run bench:gateway`): where the busy time went, by function (self), by package or source
 * file (self) and by Atrium function (inclusive: itself and everything it called).
 *
 *   node bench/gateway/profile.mjs <file.cpuprofile> [--top 25] [--from <ms> --to <ms>]
 *
 * `--from`/`--to` keep only the samples between those offsets from the profile's start (ms), to
 * look at one run rather than the whole process life. Idle time is left out of every percentage.
 */
import { readFileSync } from 'node:fs';

const args = process.argv.slice(2);
const flag = (name, fallback) => {
  const index = args.indexOf(name);
  return index === -1 ? fallback : Number(args[index + 1]);
};
const file = args.find((arg, index) => !arg.startsWith('--') && !(index > 0 && args[index - 1].startsWith('--')));
if (!file) {
  console.error('usage: node bench/gateway/profile.mjs <file.cpuprofile> [--top N] [--from ms --to ms]');
  process.exit(2);
}
const top = flag('--top', 25);
const from = flag('--from', 0) * 1000;
const to = flag('--to', Number.POSITIVE_INFINITY) * 1000;

const profile = JSON.parse(readFileSync(file, 'utf8'));
const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
const parent = new Map();
for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

const repo = new URL('../../', import.meta.url).pathname;
function where(url) {
  if (!url) return '(native)';
  const path = url.replace(/^file:\/\//, '');
  const modules = path.lastIndexOf('/node_modules/');
  if (modules !== -1) {
    const rest = path.slice(modules + '/node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  if (path.startsWith('node:')) return path;
  return path.startsWith(repo) ? path.slice(repo.length) : path;
}
const functionKey = (frame) => `${frame.functionName || '(anonymous)'}  ${where(frame.url)}${frame.url ? `:${frame.lineNumber + 1}` : ''}`;
const special = new Set(['(idle)', '(program)', '(garbage collector)', '(root)']);

const self = new Map();
const bySource = new Map();
const inclusive = new Map();
let total = 0;
let idle = 0;
let time = 0;
for (let index = 0; index < profile.samples.length; index++) {
  const delta = profile.timeDeltas[index] ?? 0;
  time += delta;
  if (time < from || time > to) continue;
  const node = nodes.get(profile.samples[index]);
  const name = node.callFrame.functionName;
  if (name === '(idle)') {
    idle += delta;
    continue;
  }
  total += delta;
  const key = special.has(name) ? name : functionKey(node.callFrame);
  self.set(key, (self.get(key) ?? 0) + delta);
  const source = special.has(name) ? name : where(node.callFrame.url);
  bySource.set(source, (bySource.get(source) ?? 0) + delta);
  // Inclusive time of Atrium's own functions: each distinct one on the stack counts once.
  const seen = new Set();
  for (let id = node.id; id !== undefined; id = parent.get(id)) {
    const frame = nodes.get(id).callFrame;
    if (!frame.url.includes('/apps/server/src/')) continue;
    const fn = functionKey(frame);
    if (seen.has(fn)) continue;
    seen.add(fn);
    inclusive.set(fn, (inclusive.get(fn) ?? 0) + delta);
  }
}

const percent = (value) => `${((100 * value) / Math.max(1, total)).toFixed(1).padStart(5)} %`;
const ms = (value) => `${(value / 1000).toFixed(0).padStart(7)} ms`;
function list(title, map, count) {
  console.log(`\n${title}`);
  for (const [key, value] of [...map.entries()].sort((a, b) => b[1] - a[1]).slice(0, count))
    console.log(`${ms(value)}  ${percent(value)}  ${key}`);
}

console.log(`${file}: busy ${(total / 1e6).toFixed(2)} s, idle ${(idle / 1e6).toFixed(2)} s (percentages are of busy time)`);
list(`Top ${top} functions by self time`, self, top);
list(`Self time by package or source file (top ${top})`, bySource, top);
list(`Atrium functions by inclusive time (top ${top})`, inclusive, top);
