/**
 * bench/plugins: what a plugin call costs in the sandbox and how well tenants are isolated.
 * Measures a small JSON-in/JSON-out capability warm and cold (p50/p99), warm throughput with
 * concurrent callers, and the noisy neighbour: other tenants' warm latency while one tenant
 * repeatedly runs a runaway loop and a memory bomb under real limits (64 MiB, 1000 ms), plus a
 * loop inside a built-in that only the worker restart stops. Never part of `npm test`; every
 * loop is bounded by a count or a fixed duration, and a watchdog ends the run.
 *
 *   node --import tsx bench/plugins/run.ts
 *   BENCH_SECONDS=5 BENCH_ROUNDS=20 node --import tsx bench/plugins/run.ts
 */
import { availableParallelism, loadavg } from 'node:os';
import { createSandbox, type Sandbox, type SandboxError, type SandboxInvocation } from '../../packages/plugin-sdk/src/sandbox/index.ts';

function positiveInteger(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer, got '${raw}'.`);
  return value;
}

// The only place this script reads the environment.
const options = {
  /** Seconds of the throughput phase and of the built-in loop phase. */
  seconds: positiveInteger('BENCH_SECONDS', 2),
  /** Quiet and noisy rounds alternate, short, so drifting background load hits both alike. */
  rounds: positiveInteger('BENCH_ROUNDS', 8),
  roundSeconds: 1,
  workers: 2,
  warmCalls: 5000,
  coldCalls: 300,
  /** Concurrent callers of the throughput phase. */
  callers: 32,
  /** Tenants and concurrent callers of the noisy-neighbour phases. */
  tenants: 8,
  neighbourCallers: 4,
  limits: { memoryBytes: 64 * 1024 * 1024, deadlineMs: 1000 },
  /** The whole run is abandoned after this long. */
  timeoutMs: 5 * 60_000,
};
const TARGET_WARM_P50_MS = 0.2;
const TARGET_COLD_P50_MS = 10;
const TARGET_NOISY_RATIO = 2;

const CAPABILITY = `globalThis.__atrium_plugin = { capabilities: {
  quote(input) {
    let total = 0;
    for (const line of input.lines) total += line.price * line.quantity;
    return { id: input.id, total: Math.round(total * 100) / 100, currency: input.currency, tags: input.tags.map((tag) => tag.toUpperCase()) };
  },
} };`;
const RUNAWAY = `globalThis.__atrium_plugin = { capabilities: {
  loop() { for (;;) {} },
  bomb() { const chunks = []; for (;;) chunks.push('x'.repeat(1e5)); },
  repeat() { for (;;) 'x'.repeat(1e6); },
} };`;
const INPUT = {
  id: 'q_1',
  currency: 'EUR',
  lines: Array.from({ length: 5 }, (_, index) => ({ sku: `sku_${index}`, price: 9.99 + index, quantity: index + 1 })),
  tags: ['priority', 'b2b'],
};

const quote = (key: string): SandboxInvocation => ({
  key,
  code: CAPABILITY,
  kind: 'capability',
  name: 'quote',
  input: INPUT,
  host: ['log'],
});
const noHost = async () => null;

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}
function summary(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  return { n: sorted.length, p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted[sorted.length - 1] ?? Number.NaN };
}

async function timed(sandbox: Sandbox, invocation: SandboxInvocation): Promise<number> {
  const started = performance.now();
  await sandbox.invoke(invocation, noHost);
  return performance.now() - started;
}

async function warmLatency(sandbox: Sandbox) {
  const key = 'org_bench:inst_warm:d1';
  for (let index = 0; index < 500; index++) await timed(sandbox, quote(key));
  const samples: number[] = [];
  for (let index = 0; index < options.warmCalls; index++) samples.push(await timed(sandbox, quote(key)));
  return summary(samples);
}

async function coldLatency(sandbox: Sandbox) {
  const samples: number[] = [];
  for (let index = 0; index < options.coldCalls; index++) samples.push(await timed(sandbox, quote(`org_bench:inst_cold_${index}:d1`)));
  return summary(samples);
}

async function throughput(sandbox: Sandbox) {
  const keys = Array.from({ length: 16 }, (_, index) => `org_bench:inst_tp_${index}:d1`);
  await Promise.all(keys.flatMap((key) => [sandbox.invoke(quote(key), noHost), sandbox.invoke(quote(key), noHost)]));
  let done = 0;
  const ends = performance.now() + options.seconds * 1000;
  const caller = async (offset: number) => {
    for (let index = offset; performance.now() < ends; index++) {
      await sandbox.invoke(quote(keys[index % keys.length]), noHost);
      done++;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: options.callers }, (_, index) => caller(index)));
  return done / ((performance.now() - started) / 1000);
}

interface Neighbourhood {
  samples: number[];
  errors: Map<string, number>;
}
const neighbourhood = (): Neighbourhood => ({ samples: [], errors: new Map() });
function describe({ samples, errors }: Neighbourhood) {
  return { ...summary(samples), errors: [...errors].map(([code, count]) => `${code}×${count}`).join(' ') || '-' };
}

/** Other tenants' warm calls for `seconds`, from a few concurrent callers. */
async function neighbours(sandbox: Sandbox, seconds: number, { samples, errors }: Neighbourhood = neighbourhood()) {
  const keys = Array.from({ length: options.tenants }, (_, index) => `org_tenant_${index}:inst_1:d1`);
  const ends = performance.now() + seconds * 1000;
  const caller = async (offset: number) => {
    for (let index = offset; performance.now() < ends; index++) {
      const started = performance.now();
      try {
        await sandbox.invoke(quote(keys[index % keys.length]), noHost);
        samples.push(performance.now() - started);
      } catch (error) {
        const code = (error as SandboxError).code ?? 'unknown';
        errors.set(code, (errors.get(code) ?? 0) + 1);
      }
    }
  };
  await Promise.all(Array.from({ length: options.neighbourCallers }, (_, index) => caller(index)));
}

/** One tenant running `names` in turn until `seconds` have passed; counts what the calls ended with. */
async function noisyTenant(sandbox: Sandbox, names: string[], seconds: number, outcomes: Map<string, number>) {
  const ends = performance.now() + seconds * 1000;
  for (let index = 0; performance.now() < ends && index < 1000; index++) {
    const name = names[index % names.length];
    const started = performance.now();
    let code = 'ok';
    try {
      await sandbox.invoke({ key: 'org_noisy:inst_1:d1', code: RUNAWAY, kind: 'capability', name, input: null, host: [] }, noHost);
    } catch (error) {
      code = (error as SandboxError).code;
    }
    const label = `${name}→${code} ~${Math.round((performance.now() - started) / 100) / 10}s`;
    outcomes.set(label, (outcomes.get(label) ?? 0) + 1);
  }
}
const listOutcomes = (outcomes: Map<string, number>) => [...outcomes].map(([label, count]) => `${count}× ${label}`).join(', ');

const pad = (value: string, width: number, right = true) => (right ? value.padStart(width) : value.padEnd(width));
function table(header: string[], rows: Array<Array<string | number>>, widths: number[]): string {
  const line = (cells: Array<string | number>) => cells.map((cell, i) => pad(String(cell), widths[i], i > 0)).join('  ');
  return [line(header), '-'.repeat(line(header).length), ...rows.map(line)].join('\n');
}
const ms = (value: number) => value.toFixed(3);

async function main() {
  const environment = `node ${process.version} · ${process.platform}/${process.arch} · ${availableParallelism()} cores (load average ${loadavg()[0].toFixed(1)}) · ${options.workers} sandbox workers · limits 64 MiB, ${options.limits.deadlineMs} ms`;
  console.log(environment);
  const sandbox = createSandbox({ workers: options.workers, limits: options.limits });
  try {
    // Both workers up before anything is timed.
    await Promise.all(
      Array.from({ length: options.workers * 2 }, (_, index) => sandbox.invoke(quote(`org_bench:inst_boot_${index}:d1`), noHost)),
    );

    console.log(`warm: ${options.warmCalls} sequential calls on one key…`);
    const warm = await warmLatency(sandbox);
    console.log(`cold: ${options.coldCalls} sequential calls, each on a new key…`);
    const cold = await coldLatency(sandbox);
    const rssMiB = process.memoryUsage().rss / 1024 / 1024;
    console.log(`throughput: ${options.callers} concurrent callers over 16 warm keys for ${options.seconds} s…`);
    const perSecond = await throughput(sandbox);

    console.log(
      `noisy neighbour: ${options.tenants} tenants, ${options.neighbourCallers} concurrent callers, ${options.rounds} rounds of ${options.roundSeconds} s quiet then ${options.roundSeconds} s noisy…`,
    );
    await neighbours(sandbox, 1); // every tenant warm on both workers
    const quietRun = neighbourhood();
    const noisyRun = neighbourhood();
    const noisyLoad = new Map<string, number>();
    for (let round = 0; round < options.rounds; round++) {
      await neighbours(sandbox, options.roundSeconds, quietRun);
      // The loop and the bomb take turns to open a round.
      const names = round % 2 === 0 ? ['loop', 'bomb'] : ['bomb', 'loop'];
      await Promise.all([
        neighbours(sandbox, options.roundSeconds, noisyRun),
        noisyTenant(sandbox, names, options.roundSeconds, noisyLoad),
      ]);
    }
    const restartsBefore = sandbox.stats().restarts;
    const stuckRun = neighbourhood();
    const stuckLoad = new Map<string, number>();
    await Promise.all([
      neighbours(sandbox, options.seconds * 2, stuckRun),
      noisyTenant(sandbox, ['repeat'], options.seconds * 2, stuckLoad),
    ]);
    const restarts = sandbox.stats().restarts - restartsBefore;
    const [quiet, noisy, stuck] = [describe(quietRun), describe(noisyRun), describe(stuckRun)];

    console.log('\nInvocation latency, small capability (JSON in and out), ms\n');
    console.log(
      table(
        ['case', 'calls', 'p50', 'p99', 'max'],
        [
          ['warm', warm.n, ms(warm.p50), ms(warm.p99), ms(warm.max)],
          ['cold (new instance + bundle)', cold.n, ms(cold.p50), ms(cold.p99), ms(cold.max)],
        ],
        [30, 6, 8, 8, 8],
      ),
    );
    console.log(`\nProcess RSS after the cold run (up to ${options.workers} × 64 warm contexts kept): ${Math.round(rssMiB)} MiB`);
    console.log(
      `\nWarm throughput: ${Math.round(perSecond).toLocaleString('en-US')} invocations/s (${options.callers} concurrent callers)\n`,
    );
    console.log("Noisy neighbour: other tenants' warm calls, ms\n");
    console.log(
      table(
        ['phase', 'calls', 'p50', 'p99', 'max', 'errors'],
        [
          ['quiet', quiet.n, ms(quiet.p50), ms(quiet.p99), ms(quiet.max), quiet.errors],
          ['runaway loop + memory bomb', noisy.n, ms(noisy.p50), ms(noisy.p99), ms(noisy.max), noisy.errors],
          ['loop in a built-in (restarts)', stuck.n, ms(stuck.p50), ms(stuck.p99), ms(stuck.max), stuck.errors],
        ],
        [30, 6, 8, 8, 8, 12],
      ),
    );
    console.log(`\nnoisy tenant, runaway + bomb: ${listOutcomes(noisyLoad)}`);
    console.log(`noisy tenant, built-in loop: ${listOutcomes(stuckLoad)}; worker restarts: ${restarts}`);

    const ratio = noisy.p99 / quiet.p99;
    const rows: Array<[string, string, string, boolean]> = [
      ['warm p50', `< ${TARGET_WARM_P50_MS} ms`, `${ms(warm.p50)} ms`, warm.p50 < TARGET_WARM_P50_MS],
      ['cold p50', `< ${TARGET_COLD_P50_MS} ms`, `${ms(cold.p50)} ms`, cold.p50 < TARGET_COLD_P50_MS],
      ['noisy p99 / quiet p99', `≤ ${TARGET_NOISY_RATIO}×`, `${ratio.toFixed(2)}×`, ratio <= TARGET_NOISY_RATIO],
    ];
    console.log('\nSummary\n\n| target | goal | measured | result |\n|---|---|---|---|');
    for (const [target, goal, measured, pass] of rows) console.log(`| ${target} | ${goal} | ${measured} | ${pass ? 'PASS' : 'MISS'} |`);
    console.log();
  } finally {
    await sandbox.close();
  }
}

const watchdog = setTimeout(() => {
  console.error(`bench/plugins: gave up after ${options.timeoutMs / 1000} s`);
  process.exit(1);
}, options.timeoutMs);
watchdog.unref();
await main();
