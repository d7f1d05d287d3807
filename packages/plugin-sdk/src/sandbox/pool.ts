import { HOST_API } from '@atrium/contracts';
import { answerHostCall } from './host-call.ts';
import {
  BACKSTOP_GRACE_MS,
  type CallOutcome,
  DEFAULT_LIMITS,
  type FromWorker,
  type InvokeMessage,
  MAX_STACK_BYTES,
  NATIVE_STACK_RATIO,
  resolveLimits,
  type ToWorker,
  type WarmDelta,
} from './protocol.ts';
import { type HostCall, type Sandbox, SandboxError, type SandboxInvocation, type SandboxLimits, type SandboxOptions } from './types.ts';
import { housekeeping, inGuestFor, nextDispatch, overrun, startWorker, takeBack, type Slot as WorkerSlot } from './worker-slot.ts';

/**
 * The main-thread side: a pool of sandbox workers, dispatch, host calls and the backstop.
 *
 * Dispatch prefers a worker that holds the key warm and has an idle entry for it, then the least
 * loaded; a worker that has been running one guest for a while (read from shared memory, without
 * asking it) is avoided while another has room. Calls wait in a FIFO queue while no started
 * worker has room (`concurrencyPerWorker`). The deadline starts at dispatch. While calls
 * are in flight, a rescue pass takes calls a worker has not started back from a worker busy with
 * one guest (see `CLAIM_RING`) and dispatches them again, so a runaway tenant delays its
 * neighbours by milliseconds, not by its deadline.
 *
 * Backstop: a call still unfinished `BACKSTOP_GRACE_MS` after its deadline fails with `timeout`.
 * If the worker is then still inside that (or another overdue) guest, QuickJS's interrupt did
 * not get a chance to run — a loop inside a built-in — so the worker is terminated and replaced:
 * the calls it had started fail with `crashed`, the others run elsewhere.
 */

const MiB = 1024 * 1024;
/** A worker inside one guest for this long is busy with it, not just passing through. */
const HOGGED_AFTER_MS = 2;
/** How often calls stuck behind a busy worker are looked for, and how long that worker must have been busy. */
const RESCUE_EVERY_MS = 4;
const RESCUE_AFTER_MS = 4;
/** Spare instances per worker for calls with the default limits. */
const SPARES_PER_WORKER = 2;
/** The worker has overrun a deadline by this much inside guest code: its interrupt is not firing. */
const STUCK_AFTER_MS = 100;
/** Workers that die this many times in a row before answering are not started again. */
const MAX_EARLY_EXITS = 5;

type Slot = WorkerSlot<Pending>;

const send = (slot: Slot, message: ToWorker) => slot.worker.postMessage(message);

interface Pending {
  id: number;
  invocation: SandboxInvocation;
  limits: SandboxLimits;
  input: string;
  context: string;
  onHost: (call: HostCall) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: SandboxError) => void;
  slot?: Slot;
  seq?: number;
  deadline?: number;
  timer?: NodeJS.Timeout;
  settled: boolean;
}

/**
 * Creates a pool of sandbox workers. The first call in a process compiles the QuickJS wasm and
 * bundles the worker script (esbuild), about 70 ms, blocking.
 *
 * @example
 * const sandbox = createSandbox({ workers: 2, limits: { deadlineMs: 2000 } });
 * const result = await sandbox.invoke(
 *   { key: `${orgId}:${installationId}:${digest}`, code, kind: 'capability', name: 'lookup', input: { id: 7 }, host: ['store.get', 'log'] },
 *   async ({ fn, args }) => host[fn](...args),
 * );
 * await sandbox.close();
 */
export function createSandbox({ workers = 2, maxWarmPerWorker = 64, concurrencyPerWorker = 8, limits = {} }: SandboxOptions = {}): Sandbox {
  const baseStack = resolveLimits(limits, {}, MAX_STACK_BYTES).stackBytes;
  const stackSizeMb = Math.max(16, Math.ceil((Math.max(baseStack, DEFAULT_LIMITS.stackBytes) * NATIVE_STACK_RATIO) / MiB));
  const maxStackBytes = (stackSizeMb * MiB) / NATIVE_STACK_RATIO;
  const defaults = resolveLimits(limits, {}, maxStackBytes);
  const slots: Slot[] = [];
  const queue: Pending[] = [];
  const counters = { warm: 0, cold: 0, restarts: 0 };
  let nextId = 1;
  let closed = false;
  let earlyExits = 0;
  let rescuer: NodeJS.Timeout | undefined;
  const loadBuffer = new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT);
  const load = new Int32Array(loadBuffer);
  let inFlight = 0;
  /** Publishes how many calls the pool holds, for workers to pace long-running guests by. */
  const publishLoad = () => Atomics.store(load, 0, inFlight + queue.length);

  function spawn(): Slot {
    const slot = startWorker<Pending>({
      load: loadBuffer,
      stackSizeMb,
      maxWarm: Math.max(1, maxWarmPerWorker),
      spares: SPARES_PER_WORKER,
      spareLimits: { memoryBytes: defaults.memoryBytes, stackBytes: defaults.stackBytes },
    });
    slot.worker.on('message', (message: FromWorker) => onMessage(slot, message));
    slot.worker.on('error', () => {}); // followed by 'exit', handled there
    slot.worker.on('exit', () => {
      if (!slot.alive) return;
      earlyExits = slot.ready ? 0 : earlyExits + 1;
      replace(slot, 'the sandbox worker exited; retrying is safe');
    });
    return slot;
  }

  /** Starts a new worker in the slot's place: calls it had started fail with `crashed`, the others run elsewhere. */
  function replace(slot: Slot, message: string): void {
    slot.alive = false;
    void slot.worker.terminate();
    const unstarted: Pending[] = [];
    for (const pending of [...slot.calls.values()]) {
      if (takeBack(slot, pending.seq!)) {
        unassign(pending);
        clearTimeout(pending.timer);
        unstarted.push(pending);
      } else {
        finish(pending, { ok: false, code: 'crashed', message });
      }
    }
    queue.unshift(...unstarted);
    slot.calls.clear();
    const index = slots.indexOf(slot);
    if (index >= 0) slots.splice(index, 1);
    if (closed) return;
    if (earlyExits < MAX_EARLY_EXITS) {
      try {
        slots.push(spawn());
        counters.restarts++;
      } catch {
        // No thread to be had right now: the pool runs on the workers it has left.
      }
    }
    if (slots.length === 0) {
      for (const pending of queue.splice(0)) finish(pending, { ok: false, code: 'crashed', message: 'the sandbox workers do not start' });
    }
    dispatch();
  }

  function applyWarm(slot: Slot, delta: WarmDelta): void {
    for (const [key, entries] of delta) {
      if (entries > 0) slot.warm.set(key, entries);
      else slot.warm.delete(key);
    }
  }

  function onMessage(slot: Slot, message: FromWorker): void {
    if (!slot.alive) return;
    switch (message.type) {
      case 'ready':
        slot.ready = true;
        earlyExits = 0;
        dispatch();
        return;
      case 'warm':
        applyWarm(slot, message.warm);
        return;
      case 'need-code': {
        applyWarm(slot, message.warm);
        const pending = slot.calls.get(message.id);
        if (!pending || pending.settled) return;
        // The worker consumed the first claim: the resend is a new dispatch.
        pending.seq = nextDispatch(slot);
        send(slot, invokeMessage(pending, true));
        return;
      }
      case 'done': {
        applyWarm(slot, message.warm);
        const pending = slot.calls.get(message.id);
        if (!pending) return;
        if (message.cold) counters.cold++;
        else counters.warm++;
        finish(pending, message.outcome);
        dispatch();
        return;
      }
      case 'host':
        onHostCall(slot, message.id, message.seq, message.fn, message.args);
        return;
    }
  }

  function onHostCall(slot: Slot, id: number, seq: number, fn: string, argsText: string): void {
    const pending = slot.calls.get(id);
    if (!pending || pending.settled || !pending.invocation.host.includes(fn)) return;
    const answering = answerHostCall(pending.onHost, fn, argsText);
    if (seq === 0) return; // fire and forget (log): whatever the host answers is dropped
    void answering.then((answer) => {
      if (pending.settled || !slot.alive) return;
      if (answer.ok) send(slot, { type: 'host-reply', id, seq, ok: true, value: answer.json });
      else if (!('notJson' in answer)) send(slot, { type: 'host-reply', id, seq, ok: false, value: answer.message });
      else {
        send(slot, { type: 'cancel', id, code: 'host_error' });
        finish(pending, { ok: false, code: 'host_error', message: `the host function ${fn} returned a value that is not JSON` });
        dispatch();
      }
    });
  }

  function invokeMessage(pending: Pending, withCode: boolean): InvokeMessage {
    const { invocation, limits } = pending;
    return {
      type: 'invoke',
      id: pending.id,
      seq: pending.seq!,
      key: invocation.key,
      code: withCode ? invocation.code : undefined,
      kind: invocation.kind,
      name: invocation.name,
      input: pending.input,
      context: pending.context,
      host: invocation.host,
      memoryBytes: limits.memoryBytes,
      stackBytes: limits.stackBytes,
      deadline: pending.deadline!,
    };
  }

  function pick(key: string): Slot | undefined {
    const now = Date.now();
    let best: Slot | undefined;
    let bestScore = Number.POSITIVE_INFINITY;
    for (const slot of slots) {
      // A worker still starting would eat into the call's deadline: calls wait in the queue instead.
      if (!slot.alive || !slot.ready || slot.calls.size >= concurrencyPerWorker) continue;
      // A guest may hold its worker until its deadline; housekeeping lasts a few milliseconds,
      // less than a cold start elsewhere (and the warm context's state) is worth.
      const hogged = inGuestFor(slot, now) >= HOGGED_AFTER_MS;
      const warmIdle = (slot.warm.get(key) ?? 0) > (slot.busyByKey.get(key) ?? 0);
      const score = (hogged ? 1000 : 0) + (warmIdle ? 0 : 100) + (housekeeping(slot) ? 50 : 0) + slot.calls.size;
      if (score < bestScore) {
        best = slot;
        bestScore = score;
      }
    }
    return best;
  }

  function dispatch(): void {
    while (queue.length > 0) {
      const pending = queue[0];
      const slot = pick(pending.invocation.key);
      if (!slot) break;
      queue.shift();
      const { key } = pending.invocation;
      pending.slot = slot;
      pending.seq = nextDispatch(slot);
      pending.deadline = Date.now() + pending.limits.deadlineMs;
      slot.calls.set(pending.id, pending);
      inFlight++;
      slot.busyByKey.set(key, (slot.busyByKey.get(key) ?? 0) + 1);
      send(slot, invokeMessage(pending, !slot.warm.has(key)));
      pending.timer = setTimeout(() => backstop(pending), pending.limits.deadlineMs + BACKSTOP_GRACE_MS);
    }
    publishLoad();
    if (!rescuer && inFlight > 0) {
      rescuer = setInterval(rescue, RESCUE_EVERY_MS);
      rescuer.unref();
    }
  }

  /** Takes unstarted calls back from workers busy inside one guest and dispatches them again. */
  function rescue(): void {
    const now = Date.now();
    const taken: Pending[] = [];
    for (const slot of slots) {
      if (inGuestFor(slot, now) < RESCUE_AFTER_MS) continue;
      for (const pending of slot.calls.values()) {
        if (!takeBack(slot, pending.seq!)) continue; // started
        unassign(pending);
        clearTimeout(pending.timer);
        taken.push(pending);
      }
    }
    if (taken.length > 0) {
      queue.unshift(...taken.sort((a, b) => a.id - b.id));
      dispatch();
    } else if (inFlight === 0 && queue.length === 0) {
      clearInterval(rescuer);
      rescuer = undefined;
    }
  }

  /** Detaches a call from its worker's books. */
  function unassign(pending: Pending): void {
    const { slot } = pending;
    if (!slot?.calls.delete(pending.id)) return;
    inFlight--;
    publishLoad();
    const key = pending.invocation.key;
    const busy = (slot.busyByKey.get(key) ?? 1) - 1;
    if (busy > 0) slot.busyByKey.set(key, busy);
    else slot.busyByKey.delete(key);
  }

  function backstop(pending: Pending): void {
    const slot = pending.slot;
    if (pending.settled || !slot) return;
    const unstarted = takeBack(slot, pending.seq!);
    finish(pending, { ok: false, code: 'timeout', message: 'the plugin did not finish before its deadline' });
    if ((overrun(slot, Date.now()) ?? 0) >= STUCK_AFTER_MS) {
      replace(slot, 'the sandbox worker was restarted while this call ran; retrying is safe');
      return;
    }
    if (!unstarted) send(slot, { type: 'cancel', id: pending.id, code: 'timeout' });
    dispatch();
  }

  function finish(pending: Pending, outcome: CallOutcome): void {
    if (pending.settled) return;
    pending.settled = true;
    clearTimeout(pending.timer);
    unassign(pending);
    if (!outcome.ok) {
      pending.reject(new SandboxError(outcome.code, outcome.message, outcome.guestName));
      return;
    }
    let value: unknown;
    try {
      value = JSON.parse(outcome.value);
    } catch {
      pending.reject(new SandboxError('invalid_output', 'the result is not JSON'));
      return;
    }
    pending.resolve(value);
  }

  for (let index = 0; index < Math.max(1, workers); index++) slots.push(spawn());

  return {
    invoke(invocation, onHost) {
      return new Promise((resolve, reject) => {
        if (closed) return reject(new SandboxError('crashed', 'the sandbox is closed'));
        if (slots.length === 0) return reject(new SandboxError('crashed', 'the sandbox workers do not start'));
        const unknown = invocation.host.find((name) => !Object.hasOwn(HOST_API, name));
        if (unknown !== undefined) return reject(new SandboxError('host_error', `unknown host function ${unknown}`));
        let input: string | undefined;
        let context: string | undefined;
        try {
          input = JSON.stringify(invocation.input ?? null);
          context = invocation.context === undefined ? '' : JSON.stringify(invocation.context);
        } catch {
          input = undefined;
        }
        if (typeof input !== 'string' || typeof context !== 'string') {
          return reject(new SandboxError('host_error', 'the input and context must be JSON values'));
        }
        const limitsForCall = resolveLimits(limits, invocation.limits, maxStackBytes);
        queue.push({ id: nextId++, invocation, limits: limitsForCall, input, context, onHost, resolve, reject, settled: false });
        dispatch();
      });
    },

    evict(keyPrefix) {
      for (const slot of slots) {
        for (const key of slot.warm.keys()) if (key.startsWith(keyPrefix)) slot.warm.delete(key);
        send(slot, { type: 'evict', prefix: keyPrefix });
      }
    },

    stats() {
      let busy = 0;
      for (const slot of slots) busy += slot.calls.size;
      return { workers: slots.length, busy, queued: queue.length, ...counters };
    },

    async close() {
      if (closed) return;
      closed = true;
      clearInterval(rescuer);
      for (const pending of queue.splice(0)) finish(pending, { ok: false, code: 'crashed', message: 'the sandbox is closed' });
      const ending = slots.splice(0).map((slot) => {
        slot.alive = false;
        for (const pending of [...slot.calls.values()]) finish(pending, { ok: false, code: 'crashed', message: 'the sandbox is closed' });
        return slot.worker.terminate();
      });
      await Promise.all(ending);
    },
  };
}
