import type { SandboxErrorCode, SandboxLimits } from './types.ts';
import type { WasmModule } from './wasm.ts';

/**
 * What the pool (main thread) and a sandbox worker say to each other, and the limits both apply.
 * Everything JSON crosses as text: the guest parses and serialises it itself, so neither side
 * walks guest values.
 */

const KiB = 1024;
const MiB = 1024 * KiB;

/**
 * Limits of a call that sets none: 64 MiB of memory, 5 s, 512 KiB of stack.
 *
 * @example
 * createSandbox({ limits: { ...DEFAULT_LIMITS, deadlineMs: 2000 } });
 */
export const DEFAULT_LIMITS: SandboxLimits = { memoryBytes: 64 * MiB, deadlineMs: 5000, stackBytes: 512 * KiB };

/**
 * The wasm build asks for 16 MiB up front (5 MiB of it its own data and stack); a cap above that
 * leaves the guest a heap and lets "memory reached its cap" mean out of memory. wasm32 with this
 * build stops at 2 GiB.
 */
const MIN_MEMORY_BYTES = 32 * MiB;
const MAX_MEMORY_BYTES = 2048 * MiB;
/** The build's own (shadow) stack is about 5 MiB: a larger QuickJS limit would let recursion run past it. */
const MIN_STACK_BYTES = 64 * KiB;
export const MAX_STACK_BYTES = 4 * MiB;
const MAX_DEADLINE_MS = 10 * 60_000;

/** Largest JSON result a call may return. */
export const MAX_OUTPUT_BYTES = 1 * MiB;
/** Calls that outlive their deadline by this much are failed by the pool, and a worker stuck that long is replaced. */
export const BACKSTOP_GRACE_MS = 200;

/**
 * Native (thread) stack per byte of QuickJS stack. QuickJS checks its own stack in linear memory,
 * but every guest frame also costs wasm frames on the worker's native stack; deeply nested
 * `JSON.stringify` measured about 8× as much native stack, so workers get 16×.
 */
export const NATIVE_STACK_RATIO = 16;

const clamp = (value: number, min: number, max: number) => Math.min(max, Math.max(min, Math.floor(value)));

/** Applies defaults and clamps to what the wasm build can honour. */
export function resolveLimits(
  base: Partial<SandboxLimits> = {},
  override: Partial<SandboxLimits> = {},
  maxStackBytes = MAX_STACK_BYTES,
): SandboxLimits {
  const pick = (name: keyof SandboxLimits) => {
    const value = override[name] ?? base[name];
    return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : DEFAULT_LIMITS[name];
  };
  return {
    memoryBytes: clamp(pick('memoryBytes'), MIN_MEMORY_BYTES, MAX_MEMORY_BYTES),
    deadlineMs: clamp(pick('deadlineMs'), 1, MAX_DEADLINE_MS),
    stackBytes: clamp(pick('stackBytes'), MIN_STACK_BYTES, Math.min(maxStackBytes, MAX_STACK_BYTES)),
  };
}

/**
 * Per worker, float64 slots shared with the pool, written on every entry into and exit from
 * guest code: the running call's deadline (0 while no guest code runs) and when it entered.
 * The pool reads them without asking the worker, which may be stuck inside a built-in.
 */
export const VM_DEADLINE = 0;
export const VM_ENTERED_AT = 1;
/** When the worker started housekeeping that blocks it (creating spare instances), 0 when none. */
export const VM_HOUSEKEEPING_SINCE = 2;
export const VM_STATE_SLOTS = 3;

/**
 * Per worker, a ring of int32 claims that lets the pool take back a call the worker has not
 * started (it sits behind a runaway guest) without asking the worker. On dispatch the pool
 * stores the call's `seq`; the worker claims it by swapping in `-seq` before starting, the pool
 * revokes it by swapping in 0. Whoever swaps first wins. Unstarted calls are the newest
 * dispatches of a worker, fewer than its concurrency, so the ring never wraps onto one of them.
 */
export const CLAIM_RING = 1024;

export interface WorkerData {
  wasmModule: WasmModule;
  vmState: SharedArrayBuffer;
  /** One int32 shared by the whole pool: calls in flight or queued, all workers together. */
  load: SharedArrayBuffer;
  claims: SharedArrayBuffer;
  maxWarm: number;
  /** Instances kept ready (runtime and context, no guest code) for calls with the default limits. */
  spares: number;
  spareLimits: { memoryBytes: number; stackBytes: number };
}

export interface InvokeMessage {
  type: 'invoke';
  id: number;
  /** Per worker, see `CLAIM_RING`. */
  seq: number;
  key: string;
  /** Omitted when the pool believes the worker holds the key warm; the worker then answers `need-code` if it does not. */
  code?: string;
  kind: 'capability' | 'hook';
  name: string;
  input: string;
  /** `''` when the call has no context. */
  context: string;
  host: string[];
  memoryBytes: number;
  stackBytes: number;
  /** Absolute, `Date.now()` clock (shared by all threads). */
  deadline: number;
}

export interface HostReplyMessage {
  type: 'host-reply';
  id: number;
  seq: number;
  ok: boolean;
  /** JSON text when ok, else the error message. */
  value: string;
}

export type ToWorker =
  | InvokeMessage
  | HostReplyMessage
  | { type: 'cancel'; id: number; code: SandboxErrorCode }
  | { type: 'evict'; prefix: string };

/** Warm entries per key after a change, so the pool can route to the worker that holds a key. */
export type WarmDelta = Array<[key: string, entries: number]>;

export type CallOutcome = { ok: true; value: string } | { ok: false; code: SandboxErrorCode; message: string; guestName?: string };

export type FromWorker =
  | { type: 'ready' }
  | { type: 'done'; id: number; outcome: CallOutcome; cold: boolean; warm: WarmDelta }
  | { type: 'need-code'; id: number; warm: WarmDelta }
  | { type: 'warm'; warm: WarmDelta }
  /** `seq` 0: fire and forget (`log`), no reply expected. */
  | { type: 'host'; id: number; seq: number; fn: string; args: string };
