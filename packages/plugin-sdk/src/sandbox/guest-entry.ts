import releaseSync from '@jitl/quickjs-wasmfile-release-sync';
import {
  newQuickJSWASMModuleFromVariant,
  newVariant,
  type QuickJSContext,
  type QuickJSDeferredPromise,
  type QuickJSHandle,
  type QuickJSRuntime,
  type QuickJSSyncVariant,
} from 'quickjs-emscripten-core';
import { PRELUDE } from './prelude.ts';
import { type CallOutcome, MAX_OUTPUT_BYTES, VM_DEADLINE, VM_ENTERED_AT } from './protocol.ts';
import { newWasmMemory, type WasmMemory, type WasmModule } from './wasm.ts';

/**
 * One warm context: its own wasm instance over its own capped `WebAssembly.Memory`, one QuickJS
 * runtime and context, the prelude installed and the bundle evaluated. It runs one call at a
 * time. After a timeout, out-of-memory or any failure inside the engine it is `retired` and never
 * reused; after an exception thrown out of the wasm code (a trap, the native stack) it is also
 * `corrupt` and is dropped without touching the instance again.
 */

// The package's types describe its CommonJS build; imported as ESM, the default export is the variant.
const releaseSyncVariant = releaseSync as unknown as QuickJSSyncVariant;
type VariantOptions = Parameters<typeof newVariant>[1];
const PAGE_BYTES = 64 * 1024;
/** The wasm build's own minimum (its data, stack and initial heap). */
const MIN_PAGES = 256;
/** Fire-and-forget log lines a call may emit; more are dropped. */
const MAX_LOGS_PER_CALL = 200;
/** Host calls one call may have in flight; more are rejected in the guest. */
const MAX_PENDING_HOST_CALLS = 64;
/** Arguments of one host call, as JSON text: the pool parses them on the server's main thread. */
const MAX_HOST_ARGS_CHARS = 4 * 1024 * 1024;
const MAX_MESSAGE_CHARS = 4000;

export interface GuestCall {
  readonly id: number;
  readonly deadline: number;
  outcome?: CallOutcome;
  readonly pendingHost: Map<number, QuickJSDeferredPromise>;
  nextSeq: number;
  logs: number;
}

export interface EntryLimits {
  memoryBytes: number;
  stackBytes: number;
}

export interface EntrySpec extends EntryLimits {
  key: string;
  /** Key plus everything else a context is built from (grants, memory, stack). */
  identity: string;
  code: string;
  host: string[];
}

export interface EntryEnvironment {
  wasmModule: WasmModule;
  /** Shared with the pool: see `VM_DEADLINE` in protocol.ts. */
  vm: Float64Array;
  /** Sends a host call to the pool; `seq` 0 means no reply is expected. */
  sendHost(call: GuestCall, seq: number, fn: string, args: string): void;
  /** Called from QuickJS's interrupt checks while guest code runs; may pause the thread. */
  pace(now: number): void;
}

const STATUSES = new Set(['ok', 'not_found', 'invalid_bundle', 'invalid_output', 'plugin_error']);
const TIMEOUT: CallOutcome = { ok: false, code: 'timeout', message: 'the plugin did not finish before its deadline' };
const OUT_OF_MEMORY: CallOutcome = { ok: false, code: 'out_of_memory', message: 'the plugin ran out of memory' };
const truncate = (text: string) => (text.length > MAX_MESSAGE_CHARS ? `${text.slice(0, MAX_MESSAGE_CHARS)}…` : text);

export function newCall(id: number, deadline: number): GuestCall {
  return { id, deadline, pendingHost: new Map(), nextSeq: 0, logs: 0 };
}

export class GuestEntry {
  call: GuestCall | undefined;
  /** Never reused once set. */
  retired = false;
  /** The instance's state is unknown: drop it without disposing. */
  corrupt = false;
  /** Evicted while busy: dropped when the call ends. */
  doomed = false;

  /** What the entry runs; set by `boot`. An entry not booted yet is a spare. */
  spec!: EntrySpec;
  private run: QuickJSHandle | undefined;

  private constructor(
    readonly limits: EntryLimits,
    private readonly environment: EntryEnvironment,
    private readonly memory: WasmMemory,
    /** The memory's cap: reaching it means the guest ran out of memory. */
    private readonly maxBytes: number,
    private readonly runtime: QuickJSRuntime,
    private readonly context: QuickJSContext,
  ) {}

  /** A fresh instance, runtime and context: no guest code has run in it yet. */
  static async create(limits: EntryLimits, environment: EntryEnvironment): Promise<GuestEntry> {
    const maximum = Math.max(MIN_PAGES, Math.floor(limits.memoryBytes / PAGE_BYTES));
    const memory = newWasmMemory(MIN_PAGES, maximum);
    const module = await newQuickJSWASMModuleFromVariant(
      newVariant(releaseSyncVariant, {
        wasmModule: environment.wasmModule as VariantOptions['wasmModule'],
        wasmMemory: memory as VariantOptions['wasmMemory'],
      }),
    );
    const runtime = module.newRuntime();
    runtime.setMemoryLimit(limits.memoryBytes);
    runtime.setMaxStackSize(limits.stackBytes);
    const entry = new GuestEntry(limits, environment, memory, maximum * PAGE_BYTES, runtime, runtime.newContext());
    // Guest code runs only inside a call, and only until that call's deadline.
    runtime.setInterruptHandler(() => {
      const now = Date.now();
      if (now > (entry.call?.deadline ?? 0)) return true;
      environment.pace(now);
      return false;
    });
    return entry;
  }

  /** Installs the prelude, evaluates the bundle and finds the plugin. Sets `call.outcome` on failure. */
  boot(call: GuestCall, spec: EntrySpec): void {
    this.spec = spec;
    this.call = call;
    const { context } = this;
    this.enter(call, () => {
      const install = this.check(call, context.evalCode(PRELUDE, 'atrium-prelude.js'), 'crashed');
      if (!install) return;
      // A host exception escaping these would reach the guest with its host stack: keep them total.
      const hostCall = context.newFunction('hostCall', (name, args) => {
        try {
          return this.onHostCall(context.getString(name), context.getString(args));
        } catch {
          return context.newString('0the host call failed');
        }
      });
      const complete = context.newFunction('complete', (report) => {
        try {
          this.onReport(context.getString(report));
        } catch {
          if (this.call)
            this.call.outcome ??= { ok: false, code: 'crashed', message: 'the sandbox failed to read the result; retrying is safe' };
        }
      });
      const grants = context.newString(JSON.stringify(this.spec.host));
      const maxOutput = context.newNumber(MAX_OUTPUT_BYTES);
      try {
        this.run = this.check(call, context.callFunction(install, context.undefined, hostCall, complete, grants, maxOutput), 'crashed');
      } finally {
        for (const handle of [install, hostCall, complete, grants, maxOutput]) handle.dispose();
      }
      if (!this.run) return;
      const evaluated = this.check(call, context.evalCode(this.spec.code, 'plugin.js'), 'invalid_bundle');
      if (!evaluated) return;
      evaluated.dispose();
      if (!this.drainJobs(call)) return;
      this.callRun(call, 'init', '', '', '');
    });
    // `init` reported `ok`: the call proper has not run yet. A context whose bundle failed is never reused.
    if (call.outcome?.ok) call.outcome = undefined;
    else if (call.outcome) this.retired = true;
  }

  /** Starts the handler. When it awaits host calls, `call.outcome` stays unset until `deliver` settles it. */
  start(call: GuestCall, kind: string, name: string, input: string, context: string): void {
    this.call = call;
    this.enter(call, () => this.callRun(call, kind, name, input, context));
  }

  /** Settles the guest promise of host call `seq` and runs what it unblocks. */
  deliver(call: GuestCall, seq: number, ok: boolean, value: string): void {
    const deferred = call.pendingHost.get(seq);
    if (!deferred || call !== this.call || call.outcome) return;
    call.pendingHost.delete(seq);
    this.enter(call, () => {
      const reply = this.context.newString(`${ok ? '1' : '0'}${value}`);
      try {
        deferred.resolve(reply);
      } finally {
        reply.dispose();
        deferred.dispose();
      }
      this.drainJobs(call);
    });
  }

  /** Ends the current call: guest promises still waiting on the host are dropped, never resolved. */
  release(): void {
    const call = this.call;
    this.call = undefined;
    if (!call) return;
    if (!this.corrupt) for (const deferred of call.pendingHost.values()) deferred.dispose();
    call.pendingHost.clear();
    if (this.memory.buffer.byteLength >= this.maxBytes) this.retired = true; // hit its cap: may be unusable
  }

  dispose(): void {
    this.retired = true;
    if (this.corrupt) return; // the garbage collector takes the instance as a whole
    try {
      this.run?.dispose();
      this.context.dispose();
      this.runtime.dispose();
    } catch {
      // A failed teardown only leaks this instance, which nothing references any more.
    }
  }

  private callRun(call: GuestCall, kind: string, name: string, input: string, json: string): void {
    const { context } = this;
    const args = [context.newString(kind), context.newString(name), context.newString(input), context.newString(json)];
    try {
      const result = this.check(call, context.callFunction(this.run!, context.undefined, args), 'plugin_error');
      if (!result) return;
      try {
        if (context.typeof(result) === 'string') this.onReport(context.getString(result));
      } finally {
        result.dispose();
      }
    } finally {
      for (const handle of args) handle.dispose();
    }
    // Microtasks the guest left behind run now, within this call's deadline.
    if (this.runtime.hasPendingJob()) this.drainJobs(call);
  }

  private drainJobs(call: GuestCall): boolean {
    const jobs = this.runtime.executePendingJobs();
    if (!jobs.error) return true;
    const error = jobs.error;
    try {
      this.failFromGuest(call, error, 'plugin_error');
    } finally {
      error.dispose();
    }
    return false;
  }

  /** Unwraps a call result; an error settles the call (classified) and yields undefined. */
  private check(
    call: GuestCall,
    result: { value?: QuickJSHandle; error?: QuickJSHandle },
    fallback: 'crashed' | 'invalid_bundle' | 'plugin_error',
  ): QuickJSHandle | undefined {
    if (!result.error) return result.value;
    try {
      this.failFromGuest(call, result.error, fallback);
    } finally {
      result.error.dispose();
    }
    return undefined;
  }

  /** Guest code runs only through here: the pool reads the shared slots to spot a stuck worker. */
  private enter(call: GuestCall, action: () => void): void {
    const { vm } = this.environment;
    vm[VM_DEADLINE] = call.deadline;
    vm[VM_ENTERED_AT] = Date.now();
    try {
      action();
    } catch (error) {
      // Thrown out of the wasm code itself: a trap, an abort, or the worker's native stack.
      this.corrupt = true;
      this.retired = true;
      if (!call.outcome || call.outcome.ok) call.outcome = this.classifyHostException(error);
    } finally {
      vm[VM_DEADLINE] = 0;
    }
  }

  private failFromGuest(call: GuestCall, error: QuickJSHandle, fallback: 'crashed' | 'invalid_bundle' | 'plugin_error'): void {
    const { name, message } = this.readError(error);
    let outcome: CallOutcome;
    if (message === 'out of memory' || this.memory.buffer.byteLength >= this.maxBytes) {
      outcome = OUT_OF_MEMORY;
    } else if (Date.now() > call.deadline || (name === 'InternalError' && message === 'interrupted')) {
      outcome = TIMEOUT;
    } else if (fallback === 'crashed') {
      outcome = { ok: false, code: 'crashed', message: 'the sandbox failed to prepare the plugin; retrying is safe' };
    } else {
      outcome = { ok: false, code: fallback, message: fallback === 'invalid_bundle' ? `${name}: ${message}` : message, guestName: name };
    }
    // An error that escaped the prelude's own handling leaves the context in an unknown state.
    this.retired = true;
    if (!call.outcome || call.outcome.ok) call.outcome = outcome;
  }

  private classifyHostException(error: unknown): CallOutcome {
    if (error instanceof RangeError && /call stack/i.test(error.message)) {
      return { ok: false, code: 'plugin_error', message: 'Maximum call stack size exceeded', guestName: 'RangeError' };
    }
    if (this.memory.buffer.byteLength >= this.maxBytes) return OUT_OF_MEMORY;
    return { ok: false, code: 'crashed', message: 'the sandbox failed while running the plugin; retrying is safe' };
  }

  /** Reads name and message without `dump`, which may dispose the handle or walk guest values. */
  private readError(error: QuickJSHandle): { name: string; message: string } {
    const { context } = this;
    const read = (key: string): string | undefined => {
      try {
        const property = context.getProp(error, key);
        try {
          return context.typeof(property) === 'string' ? context.getString(property) : undefined;
        } finally {
          property.dispose();
        }
      } catch {
        return undefined;
      }
    };
    try {
      const type = context.typeof(error);
      if (type === 'string') return { name: 'Error', message: truncate(context.getString(error)) };
      if (type !== 'object' && type !== 'function') return { name: 'Error', message: `the plugin threw a ${type}` };
    } catch {
      return { name: 'Error', message: 'the plugin threw a value that cannot be read' };
    }
    return { name: read('name') ?? 'Error', message: truncate(read('message') ?? '') };
  }

  private onHostCall(fn: string, args: string): QuickJSHandle | undefined {
    const call = this.call;
    const { context } = this;
    const available = call !== undefined && !call.outcome && this.spec.host.includes(fn);
    const fits = args.length <= MAX_HOST_ARGS_CHARS;
    if (fn === 'log') {
      if (available && fits && call.logs++ < MAX_LOGS_PER_CALL) this.environment.sendHost(call, 0, fn, args);
      return undefined;
    }
    if (!available) return context.newString('0the host function is not available now');
    if (!fits) return context.newString(`0the arguments of ${fn} are larger than ${MAX_HOST_ARGS_CHARS} characters of JSON`);
    if (call.pendingHost.size >= MAX_PENDING_HOST_CALLS) {
      return context.newString(`0more than ${MAX_PENDING_HOST_CALLS} host calls in flight`);
    }
    const deferred = context.newPromise();
    const seq = ++call.nextSeq;
    call.pendingHost.set(seq, deferred);
    this.environment.sendHost(call, seq, fn, args);
    return deferred.handle;
  }

  private onReport(report: string): void {
    const call = this.call;
    if (!call || call.outcome) return;
    const colon = report.indexOf(':');
    const status = report.slice(0, colon);
    const payload = report.slice(colon + 1);
    call.outcome = this.outcomeOf(call, status, payload);
    if (!call.outcome.ok && (call.outcome.code === 'timeout' || call.outcome.code === 'out_of_memory')) this.retired = true;
  }

  private outcomeOf(call: GuestCall, status: string, payload: string): CallOutcome {
    if (!STATUSES.has(status)) return { ok: false, code: 'crashed', message: 'the sandbox received an unknown status; retrying is safe' };
    const thrown = status === 'plugin_error' ? (JSON.parse(payload) as { name: string; message: string }) : undefined;
    // QuickJS's interrupt and out-of-memory errors are uncatchable in plain code, but an async
    // function turns them into an ordinary rejection: recognise them, and judge by the clock.
    const internal = thrown?.name === 'InternalError' ? thrown.message : undefined;
    if (internal === 'out of memory' || (thrown && this.memory.buffer.byteLength >= this.maxBytes)) return OUT_OF_MEMORY;
    if (internal === 'interrupted' || Date.now() > call.deadline) return TIMEOUT;
    if (thrown) return { ok: false, code: 'plugin_error', message: truncate(thrown.message), guestName: truncate(thrown.name) };
    if (status !== 'ok')
      return { ok: false, code: status as 'not_found' | 'invalid_bundle' | 'invalid_output', message: truncate(payload) };
    return Buffer.byteLength(payload) > MAX_OUTPUT_BYTES
      ? { ok: false, code: 'invalid_output', message: `the result is larger than ${MAX_OUTPUT_BYTES} bytes` }
      : { ok: true, value: payload };
  }
}
