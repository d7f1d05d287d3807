/**
 * The sandbox's public contract: what the server and the local test harness code against.
 * Types only, plus the one error class every failure is reported with.
 */

/**
 * Per-call resource limits. Memory and stack are fixed when a warm context is created (a call
 * asking for other values gets a context of its own).
 *
 * @example
 * const limits: Partial<SandboxLimits> = { deadlineMs: capability.timeout_ms ?? 5000 };
 */
export interface SandboxLimits {
  /** The guest's whole heap (its own WebAssembly memory). Default 64 MiB; at least 32 MiB. */
  memoryBytes: number;
  /** Wall-clock budget of one call from dispatch to result, CPU and awaited host calls alike. Default 5000. */
  deadlineMs: number;
  /** The guest's stack. Default 512 KiB; at most 4 MiB. */
  stackBytes: number;
}

/**
 * One call from a guest to a host function, as `onHost` receives it. `log` (also what `console.*`
 * sends, as `[level, message]` with level `debug`, `info`, `warn` or `error`) expects no answer.
 *
 * @example
 * // guest: await atrium.store.get('greeting', { fresh: true })
 * // host:  { fn: 'store.get', args: ['greeting', { fresh: true }] }
 */
export interface HostCall {
  /** A `HostFunction` name such as `'fetch'`, `'store.get'`, `'llm.chat'`, `'emit'`, `'log'`, `'secrets.get'`. */
  fn: string;
  /** The guest's arguments, after a JSON round trip. */
  args: unknown[];
}

/**
 * One call into a plugin.
 *
 * @example
 * const invocation: SandboxInvocation = {
 *   key: `${orgId}:${installationId}:${bundle.digest}`,
 *   code: bundle.code,
 *   kind: 'hook',
 *   name: 'invoice.paid',
 *   input: event,
 *   host: ['store.set', 'log'],
 * };
 */
export interface SandboxInvocation {
  /**
   * Warm-context cache key. Same key ⇒ same code. The server uses
   * `${orgId}:${installationId}:${digest}`; contexts are never shared between keys. One key may
   * have several warm contexts (overlapping calls, several workers), so guest globals are a
   * cache, not storage.
   */
  key: string;
  /** The bundle script. */
  code: string;
  kind: 'capability' | 'hook';
  /** The capability name, or the event type for a hook (matched exactly). */
  name: string;
  /** A JSON value: the handler's first argument. */
  input: unknown;
  /** A JSON value: the handler's second argument. */
  context?: unknown;
  /** Host function names present in the guest as `atrium.*` (e.g. `['fetch', 'store.get', 'log']`); anything else is absent. */
  host: string[];
  limits?: Partial<SandboxLimits>;
}

/**
 * Why a call failed. `crashed` is never the plugin's fault and safe to retry; `host_error` is the
 * host's (an answer from `onHost` that is not JSON, an unknown host function, input that is not JSON).
 *
 * @example
 * const status: Record<SandboxErrorCode, number> = { timeout: 504, out_of_memory: 507, plugin_error: 502, invalid_output: 502, not_found: 404, invalid_bundle: 422, crashed: 503, host_error: 500 };
 */
export type SandboxErrorCode =
  | 'timeout'
  | 'out_of_memory'
  | 'plugin_error'
  | 'invalid_output'
  | 'not_found'
  | 'invalid_bundle'
  | 'crashed'
  | 'host_error';

/**
 * Every failure of `Sandbox.invoke`. `code` is stable; `message` never carries a host stack.
 * For `plugin_error`, `message` is the guest's own message and `guestName` the guest error's name.
 *
 * @example
 * try {
 *   await sandbox.invoke(invocation, onHost);
 * } catch (error) {
 *   if (error instanceof SandboxError && error.code === 'timeout') reply(504);
 * }
 */
export class SandboxError extends Error {
  override readonly name = 'SandboxError';
  readonly code: SandboxErrorCode;
  /** The name of the error the guest threw (`TypeError`, `RangeError`, …), for `plugin_error`. */
  readonly guestName?: string;

  constructor(code: SandboxErrorCode, message: string, guestName?: string) {
    super(message);
    this.code = code;
    if (guestName !== undefined) this.guestName = guestName;
  }

  /** `crashed` failures happened to a call through no fault of its own: running it again is safe. */
  get retryable(): boolean {
    return this.code === 'crashed';
  }
}

/**
 * A snapshot of the pool; `warm`, `cold` and `restarts` count since creation.
 *
 * @example
 * metrics.gauge('plugins_sandbox_busy', sandbox.stats().busy);
 */
export interface SandboxStats {
  /** Live worker threads. */
  workers: number;
  /** Calls dispatched to a worker and not yet finished. */
  busy: number;
  /** Calls waiting for a worker with spare capacity. */
  queued: number;
  /** Calls served by a warm context (since creation). */
  warm: number;
  /** Calls that created a context: instance, runtime and bundle evaluation (since creation). */
  cold: number;
  /** Workers terminated or crashed and replaced (since creation). */
  restarts: number;
}

/**
 * A pool of sandbox workers; see `createSandbox`.
 *
 * @example
 * const result = await sandbox.invoke(invocation, ({ fn, args }) => hostApi.call(fn, args));
 * sandbox.evict(`${orgId}:${installationId}:`); // after an update or uninstall
 */
export interface Sandbox {
  /**
   * Runs one call. Resolves with the handler's JSON result (`null` for hooks); rejects with a
   * `SandboxError`. `onHost` performs host calls on the calling thread (the server checks
   * permissions there); its rejection becomes a rejected promise in the guest (message only).
   * The deadline runs from when a worker takes the call. Host calls the handler did not await
   * before returning still reach `onHost`, but their answers are dropped.
   */
  invoke(invocation: SandboxInvocation, onHost: (call: HostCall) => Promise<unknown>): Promise<unknown>;
  /** Drops warm contexts whose key starts with the prefix (plugin updated, disabled, uninstalled). */
  evict(keyPrefix: string): void;
  stats(): SandboxStats;
  /** Fails queued and running calls with `crashed` and ends the workers. */
  close(): Promise<void>;
}

/**
 * How big the pool is.
 *
 * @example
 * createSandbox({ workers: 4, maxWarmPerWorker: 128, limits: { memoryBytes: 128 * 1024 * 1024 } });
 */
export interface SandboxOptions {
  /** Worker threads. Default 2. */
  workers?: number;
  /** Warm contexts kept per worker (least recently used dropped first). Default 64. */
  maxWarmPerWorker?: number;
  /** Calls in flight per worker, most of them awaiting host calls. Default 8. */
  concurrencyPerWorker?: number;
  /** Defaults for every call; `SandboxInvocation.limits` overrides them per call. */
  limits?: Partial<SandboxLimits>;
}
