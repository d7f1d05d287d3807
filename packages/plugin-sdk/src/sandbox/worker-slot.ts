import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { buildSync } from 'esbuild';
import { CLAIM_RING, VM_DEADLINE, VM_ENTERED_AT, VM_HOUSEKEEPING_SINCE, VM_STATE_SLOTS, type WorkerData } from './protocol.ts';
import { compileWasm, type WasmModule } from './wasm.ts';

/**
 * One sandbox worker as the pool sees it: the thread, what it has been given, and the shared
 * memory through which the pool reads what the worker is doing without asking it.
 */

let compiled: WasmModule | undefined;
/** The QuickJS wasm, compiled once per process and shared by every worker and instance. */
function quickjsWasm(): WasmModule {
  compiled ??= compileWasm(readFileSync(createRequire(import.meta.url).resolve('@jitl/quickjs-wasmfile-release-sync/wasm')));
  return compiled;
}

let workerSource: string | undefined;
/**
 * The worker as one CommonJS script, bundled once per process. The sources are TypeScript and a
 * worker thread has no TypeScript loader; bundled, a worker starts in ~30 ms instead of ~300 ms
 * through a loader, which matters when a stuck worker is replaced while tenants wait.
 */
function workerScript(): string {
  const entry = new URL('./worker.ts', import.meta.url);
  workerSource ??= buildSync({
    entryPoints: [fileURLToPath(entry)],
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    // The emscripten glue calls createRequire(import.meta.url) (for Node built-ins only).
    define: { 'import.meta.url': JSON.stringify(entry.href) },
    write: false,
    logLevel: 'silent',
  }).outputFiles[0].text;
  return workerSource;
}

export interface Slot<Call> {
  worker: Worker;
  /** Calls dispatched to the worker and not finished, by id. */
  calls: Map<number, Call>;
  /** Warm entries per key, as the worker last reported. */
  warm: Map<string, number>;
  /** Calls in flight per key. */
  busyByKey: Map<string, number>;
  /** The worker has loaded and answers. */
  ready: boolean;
  /** False once terminated or exited; its messages are ignored from then on. */
  alive: boolean;
  vm: Float64Array;
  claims: Int32Array;
  /** Dispatches to this worker so far. */
  seq: number;
}

export interface SlotOptions {
  /** See `WorkerData.load`. */
  load: SharedArrayBuffer;
  stackSizeMb: number;
  maxWarm: number;
  spares: number;
  spareLimits: WorkerData['spareLimits'];
}

export function startWorker<Call>({ load, stackSizeMb, maxWarm, spares, spareLimits }: SlotOptions): Slot<Call> {
  const vmState = new SharedArrayBuffer(VM_STATE_SLOTS * Float64Array.BYTES_PER_ELEMENT);
  const claims = new SharedArrayBuffer(CLAIM_RING * Int32Array.BYTES_PER_ELEMENT);
  const data: WorkerData = { wasmModule: quickjsWasm(), vmState, load, claims, maxWarm, spares, spareLimits };
  // The native stack backs QuickJS's own stack limit (see NATIVE_STACK_RATIO).
  const worker = new Worker(workerScript(), { eval: true, workerData: data, resourceLimits: { stackSizeMb } });
  return {
    worker,
    calls: new Map(),
    warm: new Map(),
    busyByKey: new Map(),
    ready: false,
    alive: true,
    vm: new Float64Array(vmState),
    claims: new Int32Array(claims),
    seq: 0,
  };
}

/** Registers a new dispatch and returns its `seq`, which the worker must claim before starting it. */
export function nextDispatch(slot: Slot<unknown>): number {
  const seq = ++slot.seq;
  Atomics.store(slot.claims, seq % CLAIM_RING, seq);
  return seq;
}

/** Takes a dispatch back if the worker has not started it; true when it is ours again. */
export function takeBack(slot: Slot<unknown>, seq: number): boolean {
  return Atomics.compareExchange(slot.claims, seq % CLAIM_RING, seq, 0) === seq;
}

/** How long the worker has been running the guest code it is in now (ms; 0 when it is in none). */
export function inGuestFor(slot: Slot<unknown>, now: number): number {
  return slot.vm[VM_DEADLINE] === 0 ? 0 : now - slot.vm[VM_ENTERED_AT];
}

/** The worker is creating spare instances: blocked for a few milliseconds. */
export function housekeeping(slot: Slot<unknown>): boolean {
  return slot.vm[VM_HOUSEKEEPING_SINCE] !== 0;
}

/** How far past its deadline the guest code the worker is running now is, if any (ms; negative: not yet). */
export function overrun(slot: Slot<unknown>, now: number): number | undefined {
  const deadline = slot.vm[VM_DEADLINE];
  return deadline === 0 ? undefined : now - deadline;
}
