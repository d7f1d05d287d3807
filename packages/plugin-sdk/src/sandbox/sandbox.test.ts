import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox, type HostCall, type Sandbox, SandboxError, type SandboxInvocation } from './index.ts';

/** A bundle as `definePlugin` would leave it, written by hand. */
const plugin = (capabilities: string, hooks = '') =>
  `globalThis.__atrium_plugin = { capabilities: { ${capabilities} }, hooks: { ${hooks} } };`;

const noHost = async (): Promise<unknown> => null;
let nextKey = 0;
const uniqueKey = (label: string) => `org_test:inst_${label}:${++nextKey}`;

function call(code: string, name: string, overrides: Partial<SandboxInvocation> = {}): SandboxInvocation {
  return { key: uniqueKey(name), code, kind: 'capability', name, input: null, host: ['log'], ...overrides };
}

async function failure(promise: Promise<unknown>): Promise<SandboxError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(SandboxError);
  return error as SandboxError;
}

describe('sandbox', () => {
  let sandbox: Sandbox;
  beforeAll(() => {
    sandbox = createSandbox({ workers: 2 });
  });
  afterAll(async () => {
    await sandbox.close();
  });

  it('returns a capability result as JSON, with the input and the context', async () => {
    const code = plugin(`echo(input, context) { return { got: input, context, at: new Date(0).toISOString() } }, nothing() {}`);
    const result = await sandbox.invoke(call(code, 'echo', { input: { n: 1, list: ['a'] }, context: { user: 'u_1' } }), noHost);
    expect(result).toEqual({ got: { n: 1, list: ['a'] }, context: { user: 'u_1' }, at: '1970-01-01T00:00:00.000Z' });
    expect(await sandbox.invoke(call(code, 'nothing'), noHost)).toBeNull();
  });

  it('runs host calls on the calling thread and returns their results to the guest', async () => {
    const code = plugin(`
      async lookup(input) {
        const value = await atrium.store.get(input.key, { fresh: true });
        let failure;
        try { await atrium.fetch('https://example.com') } catch (error) { failure = { name: error.name, message: error.message, stack: String(error.stack) } }
        return { value, failure };
      }`);
    const calls: HostCall[] = [];
    const onHost = async (hostCall: HostCall) => {
      calls.push(hostCall);
      if (hostCall.fn === 'fetch') throw new Error('network:example.com is not granted');
      return { stored: 42 };
    };
    const result = (await sandbox.invoke(call(code, 'lookup', { input: { key: 'k' }, host: ['store.get', 'fetch'] }), onHost)) as {
      value: unknown;
      failure: { name: string; message: string; stack: string };
    };
    expect(calls).toEqual([
      { fn: 'store.get', args: ['k', { fresh: true }] },
      { fn: 'fetch', args: ['https://example.com'] },
    ]);
    expect(result.value).toEqual({ stored: 42 });
    expect(result.failure.name).toBe('Error');
    expect(result.failure.message).toBe('network:example.com is not granted');
    expect(result.failure.stack).not.toMatch(/node:|file:|\.ts|pool|worker/);
  });

  it('routes console to the host log only when log is granted', async () => {
    const code = plugin(
      `speak() { if (typeof console === 'undefined') return 'no console'; console.warn('careful', { n: 1 }); console.log('hi'); return 'spoke' }`,
    );
    const logs: unknown[][] = [];
    const onHost = async (hostCall: HostCall) => {
      logs.push([hostCall.fn, ...hostCall.args]);
      return null;
    };
    expect(await sandbox.invoke(call(code, 'speak'), onHost)).toBe('spoke');
    expect(logs).toEqual([
      ['log', 'warn', 'careful {"n":1}'],
      ['log', 'info', 'hi'],
    ]);
    expect(await sandbox.invoke(call(code, 'speak', { host: [] }), onHost)).toBe('no console');
  });

  it('exposes only the granted host functions and no ambient authority', async () => {
    const code = plugin(`
      async probe() {
        let importError = 'none';
        try { await import('node:fs') } catch (error) { importError = String(error) }
        return {
          fetch: typeof atrium.fetch, storeGet: typeof atrium.store?.get, storeSet: typeof atrium.store?.set, llm: typeof atrium.llm,
          globalFetch: typeof fetch, process: typeof process, require: typeof require, module: typeof module, buffer: typeof Buffer,
          setTimeout: typeof setTimeout, setInterval: typeof setInterval, queueMicrotask: typeof queueMicrotask,
          webAssembly: typeof WebAssembly, xhr: typeof XMLHttpRequest, importError,
        };
      }`);
    const result = await sandbox.invoke(call(code, 'probe', { host: ['store.get', 'log'] }), noHost);
    expect(result).toMatchObject({
      fetch: 'undefined',
      storeGet: 'function',
      storeSet: 'undefined',
      llm: 'undefined',
      globalFetch: 'undefined',
      process: 'undefined',
      require: 'undefined',
      module: 'undefined',
      buffer: 'undefined',
      setTimeout: 'undefined',
      setInterval: 'undefined',
      queueMicrotask: 'undefined',
      webAssembly: 'undefined',
      xhr: 'undefined',
    });
    expect((result as { importError: string }).importError).not.toBe('none');
    const granted = await sandbox.invoke(call(code, 'probe', { host: ['fetch'] }), noHost);
    expect(granted).toMatchObject({ fetch: 'function', globalFetch: 'undefined' });
    await expect(sandbox.invoke(call(code, 'probe', { host: ['shell.exec'] }), noHost)).rejects.toMatchObject({ code: 'host_error' });
  });

  it('keeps a context warm per key: state persists within a key, never across keys', async () => {
    const code = plugin(`count() { globalThis.counter = (globalThis.counter ?? 0) + 1; return globalThis.counter }`);
    const keyA = uniqueKey('a');
    const keyB = uniqueKey('b');
    const start = sandbox.stats();
    expect(await sandbox.invoke(call(code, 'count', { key: keyA }), noHost)).toBe(1);
    expect(await sandbox.invoke(call(code, 'count', { key: keyA }), noHost)).toBe(2);
    expect(await sandbox.invoke(call(code, 'count', { key: keyA }), noHost)).toBe(3);
    expect(await sandbox.invoke(call(code, 'count', { key: keyB }), noHost)).toBe(1);
    const reused = sandbox.stats();
    expect({ cold: reused.cold - start.cold, warm: reused.warm - start.warm }).toEqual({ cold: 2, warm: 2 });

    const before = sandbox.stats();
    sandbox.evict('org_test:inst_a:');
    expect(await sandbox.invoke(call(code, 'count', { key: keyA }), noHost)).toBe(1);
    expect(await sandbox.invoke(call(code, 'count', { key: keyB }), noHost)).toBe(2);
    const after = sandbox.stats();
    expect(after.cold - before.cold).toBe(1);
    expect(after.warm - before.warm).toBe(1);
  });

  it('interleaves calls whose guests await the host', async () => {
    const code = plugin(`async slow(input) { return (await atrium.store.get(input)) * 2 }`);
    const onHost = (hostCall: HostCall) => new Promise((resolve) => setTimeout(() => resolve(hostCall.args[0]), 100));
    const started = performance.now();
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, index) =>
        sandbox.invoke(call(code, 'slow', { key: 'org_test:inst_slow:1', input: index, host: ['store.get'] }), onHost),
      ),
    );
    expect(results).toEqual(Array.from({ length: 12 }, (_, index) => index * 2));
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('reports thrown errors with the guest message and name, never a host stack', async () => {
    const code = plugin(`
      typed() { throw new TypeError('bad input: id') },
      async later() { await null; throw new RangeError('too far') },
      text() { throw 'plain text' },
      deep() { const f = (n) => f(n + 1) + 1; return f(0) }`);
    const typed = await failure(sandbox.invoke(call(code, 'typed'), noHost));
    expect(typed).toMatchObject({ code: 'plugin_error', message: 'bad input: id', guestName: 'TypeError' });
    expect(await failure(sandbox.invoke(call(code, 'later'), noHost))).toMatchObject({
      code: 'plugin_error',
      message: 'too far',
      guestName: 'RangeError',
    });
    expect(await failure(sandbox.invoke(call(code, 'text'), noHost))).toMatchObject({ code: 'plugin_error', message: 'plain text' });
    const deep = await failure(sandbox.invoke(call(code, 'deep'), noHost));
    expect(deep.code).toBe('plugin_error');
    expect(deep.message).toMatch(/stack/i);
  });

  it('rejects output that is not JSON or too large', async () => {
    const code = plugin(`
      fn() { return () => 1 },
      nested() { return { ok: true, callback() {} } },
      cyclic() { const a = {}; a.self = a; return a },
      big() { return 10n },
      huge() { return 'x'.repeat(2 * 1024 * 1024) },
      symbol() { return Symbol('s') }`);
    for (const name of ['fn', 'nested', 'cyclic', 'big', 'huge', 'symbol']) {
      expect((await failure(sandbox.invoke(call(code, name), noHost))).code, name).toBe('invalid_output');
    }
  });

  it('tells a missing plugin, capability or hook apart', async () => {
    const code = plugin(`present() { return 1 }`, `'invoice.paid'(event) { if (!event.id) throw new Error('no id') }`);
    const empty = call('var x = 1;', 'present');
    expect((await failure(sandbox.invoke(empty, noHost))).code).toBe('invalid_bundle');
    expect((await failure(sandbox.invoke(empty, noHost))).code).toBe('invalid_bundle');
    expect((await failure(sandbox.invoke(call('globalThis.__atrium_plugin = {', 'present'), noHost))).code).toBe('invalid_bundle');
    expect((await failure(sandbox.invoke(call('throw new Error("init failed")', 'present'), noHost))).code).toBe('invalid_bundle');
    expect((await failure(sandbox.invoke(call(code, 'absent'), noHost))).code).toBe('not_found');
    expect((await failure(sandbox.invoke(call(code, 'invoice.*', { kind: 'hook' }), noHost))).code).toBe('not_found');
    expect(await sandbox.invoke(call(code, 'invoice.paid', { kind: 'hook', input: { id: 'inv_1' } }), noHost)).toBeNull();
    expect((await failure(sandbox.invoke(call(code, 'invoice.paid', { kind: 'hook', input: {} }), noHost))).code).toBe('plugin_error');
  });

  it('fails the call with host_error when the host answers with something that is not JSON', async () => {
    const code = plugin(`async read() { return await atrium.store.get('k') }`);
    const error = await failure(sandbox.invoke(call(code, 'read', { host: ['store.get'] }), async () => 10n));
    expect(error.code).toBe('host_error');
  });

  it('times out a guest awaiting a host call that never answers', async () => {
    const code = plugin(`async wait() { return await atrium.llm.chat({}) }`);
    const started = performance.now();
    const error = await failure(
      sandbox.invoke(call(code, 'wait', { host: ['llm.chat'], limits: { deadlineMs: 300 } }), () => new Promise(() => {})),
    );
    expect(error.code).toBe('timeout');
    expect(performance.now() - started).toBeLessThan(450);
  });
});

describe('sandbox limits', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = createSandbox({ workers: 2 });
    // Both workers up and the neighbour warm on both, so timings below measure the runaway only.
    const warmUp = plugin(`ping(input) { return input }`);
    await Promise.all(Array.from({ length: 4 }, () => sandbox.invoke(call(warmUp, 'ping', { key: 'org_test:inst_neighbour:1' }), noHost)));
  });
  afterAll(async () => {
    await sandbox.close();
  });

  const runaway = plugin(`
    loop() { for (;;) {} },
    bomb() { const a = []; for (;;) a.push('x'.repeat(1e5)) },
    repeat() { for (;;) 'x'.repeat(1e6) }`);
  const neighbour = plugin(`ping(input) { return input }`);

  /** Starts the runaway, then checks a neighbour's call and the main thread while it runs. */
  async function contain(name: string, limits: SandboxInvocation['limits']) {
    let longestGap = 0;
    let last = performance.now();
    const ticker = setInterval(() => {
      const now = performance.now();
      longestGap = Math.max(longestGap, now - last);
      last = now;
    }, 10);
    const started = performance.now();
    const outcome = failure(sandbox.invoke(call(runaway, name, { limits }), noHost));
    await new Promise((resolve) => setTimeout(resolve, 50));
    const neighbourStarted = performance.now();
    const pong = await sandbox.invoke(call(neighbour, 'ping', { key: 'org_test:inst_neighbour:1', input: { n: 1 } }), noHost);
    const neighbourMs = performance.now() - neighbourStarted;
    const error = await outcome;
    const elapsed = performance.now() - started;
    clearInterval(ticker);
    expect(pong).toEqual({ n: 1 });
    // Far below the runaway's deadline, with margin for a loaded machine.
    expect(neighbourMs).toBeLessThan(150);
    expect(longestGap).toBeLessThan(150);
    return { error, elapsed };
  }

  it('stops an infinite loop at its deadline', async () => {
    const { error, elapsed } = await contain('loop', { deadlineMs: 300 });
    expect(error.code).toBe('timeout');
    expect(elapsed).toBeGreaterThanOrEqual(295);
    expect(elapsed).toBeLessThan(600);
  });

  it('stops a loop in an async handler, even when the guest catches the interrupt', async () => {
    const code = plugin(`
      async later() { await null; for (;;) {} },
      async stubborn() { const spin = async () => { for (;;) {} }; try { await spin() } catch {} return 'survived' }`);
    const started = performance.now();
    const [later, stubborn] = await Promise.all([
      failure(sandbox.invoke(call(code, 'later', { limits: { deadlineMs: 200 } }), noHost)),
      failure(sandbox.invoke(call(code, 'stubborn', { limits: { deadlineMs: 200 } }), noHost)),
    ]);
    expect([later.code, stubborn.code]).toEqual(['timeout', 'timeout']);
    expect(performance.now() - started).toBeLessThan(600);
  });

  it('stops a memory bomb with out_of_memory', async () => {
    const { error, elapsed } = await contain('bomb', { memoryBytes: 32 * 1024 * 1024, deadlineMs: 3000 });
    expect(error.code).toBe('out_of_memory');
    expect(elapsed).toBeLessThan(2000);
  });

  it('replaces a worker stuck inside a built-in past its deadline', async () => {
    const before = sandbox.stats().restarts;
    const { error, elapsed } = await contain('repeat', { deadlineMs: 300 });
    expect(error.code).toBe('timeout');
    expect(elapsed).toBeLessThan(900);
    expect(sandbox.stats().restarts).toBe(before + 1);
    // The replacement serves calls.
    const results = await Promise.all(Array.from({ length: 4 }, (_, n) => sandbox.invoke(call(neighbour, 'ping', { input: n }), noHost)));
    expect(results).toEqual([0, 1, 2, 3]);
    expect(sandbox.stats().workers).toBe(2);
  });
});

describe('sandbox lifecycle', () => {
  it('keeps answering correctly when more keys are busy than warm slots', async () => {
    const sandbox = createSandbox({ workers: 1, maxWarmPerWorker: 2 });
    try {
      const results = await Promise.all(
        Array.from({ length: 60 }, (_, index) => {
          const tenant = index % 7;
          const code = plugin(`who() { return ${tenant} }`);
          return sandbox.invoke(call(code, 'who', { key: `org_${tenant}:inst_1:d1` }), noHost);
        }),
      );
      expect(results).toEqual(Array.from({ length: 60 }, (_, index) => index % 7));
    } finally {
      await sandbox.close();
    }
  });

  it('fails the other calls of a replaced worker with a retryable crashed', async () => {
    const sandbox = createSandbox({ workers: 1 });
    try {
      const code = plugin(`async wait() { return await atrium.store.get('x') }, repeat() { for (;;) 'x'.repeat(1e6) }`);
      const waiting = failure(sandbox.invoke(call(code, 'wait', { host: ['store.get'] }), () => new Promise(() => {})));
      await new Promise((resolve) => setTimeout(resolve, 50));
      const stuck = await failure(sandbox.invoke(call(code, 'repeat', { limits: { deadlineMs: 300 } }), noHost));
      expect(stuck.code).toBe('timeout');
      const crashed = await waiting;
      expect(crashed.code).toBe('crashed');
      expect(crashed.retryable).toBe(true);
      expect(await sandbox.invoke(call(plugin(`ok() { return 'ok' }`), 'ok'), noHost)).toBe('ok');
      expect(sandbox.stats()).toMatchObject({ workers: 1, restarts: 1 });
    } finally {
      await sandbox.close();
    }
  });

  it('close() fails what is pending and ends the workers', async () => {
    const sandbox = createSandbox({ workers: 1 });
    const code = plugin(`async wait() { return await atrium.store.get('x') }`);
    const pending = failure(sandbox.invoke(call(code, 'wait', { host: ['store.get'] }), () => new Promise(() => {})));
    await new Promise((resolve) => setTimeout(resolve, 20));
    await sandbox.close();
    expect((await pending).code).toBe('crashed');
    expect(sandbox.stats()).toMatchObject({ workers: 0, busy: 0, queued: 0 });
    expect((await failure(sandbox.invoke(call(code, 'wait'), noHost))).code).toBe('crashed');
  });
});
