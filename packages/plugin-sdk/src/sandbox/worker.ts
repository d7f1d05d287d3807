import { parentPort, workerData } from 'node:worker_threads';
import { type EntryLimits, type GuestCall, GuestEntry, newCall } from './guest-entry.ts';
import {
  type CallOutcome,
  CLAIM_RING,
  type FromWorker,
  type InvokeMessage,
  type ToWorker,
  VM_ENTERED_AT,
  VM_HOUSEKEEPING_SINCE,
  type WarmDelta,
  type WorkerData,
} from './protocol.ts';

/**
 * A sandbox worker thread: keeps up to `maxWarm` warm entries (least recently used dropped
 * first) plus a few spare instances, runs calls on them one at a time per entry, interleaves
 * calls whose guests await host calls, and paces a guest that holds the thread for long while
 * the pool has other work. It never decides policy about stuck guests: the pool watches the
 * shared VM slots and terminates the whole thread when a guest overruns inside a built-in.
 */

const { wasmModule, vmState, load: loadBuffer, claims: claimsBuffer, maxWarm, spares: spareCount, spareLimits } = workerData as WorkerData;
const port = parentPort!;
const claims = new Int32Array(claimsBuffer);
const poolLoad = new Int32Array(loadBuffer);
const pause = new Int32Array(new SharedArrayBuffer(4));
/** A guest running this long while other calls wait gets paced: it runs, then pauses, about half a core. */
const PACE_AFTER_MS = 20;
const PACE_RUN_MS = 1;
const PACE_PAUSE_MS = 1;
let lastPause = 0;

interface Running {
  call: GuestCall;
  cold: boolean;
  entry?: GuestEntry;
  /** Armed while the guest awaits host calls. */
  timer?: NodeJS.Timeout;
}

/** Entries by invocation key; several per key when calls on one key overlap. */
const byKey = new Map<string, Set<GuestEntry>>();
/** Every entry, least recently used first. */
const lru = new Set<GuestEntry>();
const calls = new Map<number, Running>();
const warmChanges = new Map<string, number>();
const spares: GuestEntry[] = [];
let refilling = false;

const vm = new Float64Array(vmState);
const environment = {
  wasmModule,
  vm,
  sendHost(call: GuestCall, seq: number, fn: string, args: string) {
    send({ type: 'host', id: call.id, seq, fn, args });
  },
  /**
   * A guest that has held the thread for a while, while calls elsewhere in the pool are in
   * flight, gives the core up half of the time: a runaway loop still ends at its deadline, but
   * does not take a whole core from the other tenants meanwhile. Alone, it runs at full speed.
   */
  pace(now: number) {
    if (now - vm[VM_ENTERED_AT] < PACE_AFTER_MS || now - lastPause < PACE_RUN_MS) return;
    if (Atomics.load(poolLoad, 0) <= calls.size) return;
    Atomics.wait(pause, 0, 0, PACE_PAUSE_MS);
    lastPause = Date.now();
  },
};

function send(message: FromWorker): void {
  port.postMessage(message);
}

function takeWarmChanges(): WarmDelta {
  const delta: WarmDelta = [...warmChanges];
  warmChanges.clear();
  return delta;
}

/**
 * Tops the spares up once the current work is done. Creating an instance blocks the thread for
 * a few milliseconds, so it is flagged to the pool, which prefers another worker meanwhile
 * unless only this one holds the key warm.
 */
function refill(): void {
  if (refilling || spares.length >= spareCount) return;
  refilling = true;
  setImmediate(async () => {
    try {
      while (spares.length < spareCount) {
        vm[VM_HOUSEKEEPING_SINCE] = Date.now();
        spares.push(await GuestEntry.create(spareLimits, environment));
      }
    } catch {
      // Calls create their own instance when no spare is left.
    } finally {
      vm[VM_HOUSEKEEPING_SINCE] = 0;
      refilling = false;
    }
  });
}

function freshEntry(limits: EntryLimits): Promise<GuestEntry> {
  if (limits.memoryBytes === spareLimits.memoryBytes && limits.stackBytes === spareLimits.stackBytes) {
    const spare = spares.pop();
    refill();
    if (spare) return Promise.resolve(spare);
  }
  return GuestEntry.create(limits, environment);
}

function add(entry: GuestEntry): void {
  const set = byKey.get(entry.spec.key) ?? new Set();
  set.add(entry);
  byKey.set(entry.spec.key, set);
  lru.add(entry);
  warmChanges.set(entry.spec.key, set.size);
}

function drop(entry: GuestEntry): void {
  const set = byKey.get(entry.spec.key);
  set?.delete(entry);
  if (set?.size === 0) byKey.delete(entry.spec.key);
  lru.delete(entry);
  warmChanges.set(entry.spec.key, set?.size ?? 0);
  entry.dispose();
}

function touch(entry: GuestEntry): void {
  lru.delete(entry);
  lru.add(entry);
}

function trim(): void {
  for (const entry of lru) {
    if (lru.size <= maxWarm) return;
    if (!entry.call) drop(entry);
  }
}

function idleEntry(key: string, identity: string): GuestEntry | undefined {
  for (const entry of byKey.get(key) ?? []) {
    if (!entry.call && !entry.retired && entry.spec.identity === identity) return entry;
  }
  return undefined;
}

async function invoke(message: InvokeMessage): Promise<void> {
  // The pool may have taken this call back while it waited behind a runaway guest.
  if (Atomics.compareExchange(claims, message.seq % CLAIM_RING, message.seq, -message.seq) !== message.seq) return;
  const call = newCall(message.id, message.deadline);
  const identity = `${message.key}\n${message.host.join(',')}\n${message.memoryBytes}\n${message.stackBytes}`;
  let entry = idleEntry(message.key, identity);
  const state: Running = { call, cold: entry === undefined };
  calls.set(call.id, state);
  if (!entry) {
    // Same key ⇒ same code: a busy sibling entry lends its bundle.
    const code = message.code ?? byKey.get(message.key)?.values().next().value?.spec.code;
    if (code === undefined) {
      calls.delete(call.id);
      send({ type: 'need-code', id: call.id, warm: takeWarmChanges() });
      return;
    }
    try {
      entry = await freshEntry(message);
    } catch {
      finish(call.id, { ok: false, code: 'crashed', message: 'the sandbox could not create a context; retrying is safe' });
      return;
    }
    if (call.outcome) {
      entry.dispose(); // cancelled while the instance was being created
      return;
    }
    entry.boot(call, {
      key: message.key,
      identity,
      code,
      host: message.host,
      memoryBytes: message.memoryBytes,
      stackBytes: message.stackBytes,
    });
    add(entry);
  }
  state.entry = entry;
  entry.call = call;
  touch(entry);
  if (!call.outcome) entry.start(call, message.kind, message.name, message.input, message.context);
  settleOrWait(call.id);
}

/** After guest code ran: report the outcome, or wait for host replies until the deadline. */
function settleOrWait(id: number): void {
  const state = calls.get(id);
  if (!state) return;
  const { call } = state;
  if (call.outcome) {
    finish(id, call.outcome);
    return;
  }
  state.timer ??= setTimeout(
    () => {
      state.entry!.retired = true; // its guest is suspended mid-call
      finish(id, { ok: false, code: 'timeout', message: 'the plugin did not finish before its deadline' });
    },
    Math.max(0, call.deadline - Date.now()),
  );
}

function finish(id: number, outcome: CallOutcome): void {
  const state = calls.get(id);
  if (!state) return;
  calls.delete(id);
  clearTimeout(state.timer);
  state.call.outcome ??= outcome;
  const final = state.call.outcome;
  const { entry } = state;
  if (entry && entry.call === state.call) {
    entry.release();
    if (entry.retired || entry.doomed) drop(entry);
    else trim();
  }
  send({ type: 'done', id, outcome: final, cold: state.cold, warm: takeWarmChanges() });
}

function evict(prefix: string): void {
  for (const entry of [...lru]) {
    if (!entry.spec.key.startsWith(prefix)) continue;
    if (entry.call) entry.doomed = true;
    else drop(entry);
  }
  send({ type: 'warm', warm: takeWarmChanges() });
}

port.on('message', (message: ToWorker) => {
  switch (message.type) {
    case 'invoke':
      void invoke(message);
      break;
    case 'host-reply': {
      const state = calls.get(message.id);
      if (!state?.entry) break;
      state.entry.deliver(state.call, message.seq, message.ok, message.value);
      settleOrWait(message.id);
      break;
    }
    case 'cancel': {
      const state = calls.get(message.id);
      if (!state) break;
      if (state.entry) state.entry.retired = true;
      finish(message.id, { ok: false, code: message.code, message: 'cancelled by the pool' });
      break;
    }
    case 'evict':
      evict(message.prefix);
      break;
  }
});

send({ type: 'ready' });
refill();
