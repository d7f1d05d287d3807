import { afterEach, describe, expect, expectTypeOf, it } from 'vitest';
import {
  type AtriumHost,
  atrium,
  defineCapability,
  definePlugin,
  type FromSchema,
  HostUnavailableError,
  HttpError,
  http,
  log,
  type PluginContext,
  type PluginRegistration,
} from './index.ts';

const context: PluginContext = { workspace_id: 'ws_1', installation_id: 'pin_1', plugin_id: 'acme-notes', settings: { greeting: 'Hi' } };

/** Installs a stand-in for the sandbox's global, recording each call. */
function fakeHost(host: Partial<AtriumHost>) {
  globalThis.atrium = host as AtriumHost;
}

afterEach(() => {
  globalThis.atrium = undefined;
  delete (globalThis as { __atrium_plugin?: unknown }).__atrium_plugin;
});

describe('definePlugin', () => {
  it('registers handlers by name on the global the sandbox reads', async () => {
    const echo = defineCapability({
      input: { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] },
      handler: (input) => ({ echoed: input.text }),
    });
    const registration = definePlugin({
      capabilities: { echo, plain: (input: { n: number }) => input.n * 2 },
      hooks: { 'workspace.created': () => {} },
    });
    expect((globalThis as { __atrium_plugin?: PluginRegistration }).__atrium_plugin).toBe(registration);
    expect(Object.keys(registration.capabilities)).toEqual(['echo', 'plain']);
    expect(await registration.capabilities.echo({ text: 'hey' }, context)).toEqual({ echoed: 'hey' });
    expect(await registration.capabilities.plain({ n: 4 }, context)).toBe(8);
    expect(Object.keys(registration.hooks)).toEqual(['workspace.created']);
  });

  it('refuses capabilities without a handler', () => {
    expect(() => definePlugin({ capabilities: { broken: { input: {} } as never } })).toThrow('capability broken has no handler');
  });
});

describe('atrium', () => {
  it('forwards to the global host, keeping its object as this', async () => {
    const calls: unknown[][] = [];
    fakeHost({
      store: {
        get: async (key: string) => {
          calls.push(['store.get', key]);
          return 3;
        },
        set: async function (this: unknown, key, value) {
          calls.push(['store.set', key, value, this === globalThis.atrium?.store]);
        },
      } as AtriumHost['store'],
    });
    expect(await atrium.store.get<number>('count')).toBe(3);
    await atrium.store.set('count', 4);
    expect(calls).toEqual([
      ['store.get', 'count'],
      ['store.set', 'count', 4, true],
    ]);
  });

  it('rejects with the permission a missing host function needs', async () => {
    fakeHost({ log: () => {} });
    await expect(atrium.fetch('https://api.example.com')).rejects.toMatchObject({
      code: 'host_unavailable',
      permission: 'network:',
      message: 'atrium.fetch is not available; it needs the permission network:<host>',
    });
    const error = await atrium.store.delete('x').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(HostUnavailableError);
    expect(error).toMatchObject({ hostFunction: 'store.delete', permission: 'data:write' });
    globalThis.atrium = undefined;
    expect(() => atrium.log('info', 'outside the sandbox, a no-op')).not.toThrow();
  });

  it('logs at each level', async () => {
    const lines: unknown[][] = [];
    fakeHost({ log: (...args) => void lines.push(args) });
    log.info('synced', { items: 2 });
    log.error('failed');
    expect(lines).toEqual([
      ['info', 'synced', { items: 2 }],
      ['error', 'failed', undefined],
    ]);
  });
});

describe('http', () => {
  it('serialises json bodies and parses json answers', async () => {
    const requests: unknown[][] = [];
    fakeHost({
      fetch: async (url, init) => {
        requests.push([url, init]);
        return { status: 201, headers: { 'content-type': 'application/json' }, body: '{"id":"item_1"}' };
      },
    });
    const response = await http.fetch('https://api.example.com/items', { json: { name: 'x' } });
    expect(response).toMatchObject({ status: 201, ok: true });
    expect(response.json()).toEqual({ id: 'item_1' });
    expect(
      await http.fetchJson<{ id: string }>('https://api.example.com/items/1', { headers: { Accept: 'application/vnd.x+json' } }),
    ).toEqual({
      id: 'item_1',
    });
    expect(requests).toEqual([
      ['https://api.example.com/items', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":"x"}' }],
      ['https://api.example.com/items/1', { method: 'GET', headers: { Accept: 'application/vnd.x+json' }, body: undefined }],
    ]);
  });

  it('fetchJson rejects outside 2xx with the response', async () => {
    fakeHost({ fetch: async () => ({ status: 404, headers: {}, body: 'no such item' }) });
    const error = await http.fetchJson('https://api.example.com/items/2').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(HttpError);
    expect(error).toMatchObject({ code: 'http_error', status: 404, response: { body: 'no such item', ok: false } });
  });
});

describe('FromSchema', () => {
  it('maps objects, required keys, scalars, arrays, enums and nullables', () => {
    const schema = {
      type: 'object',
      properties: {
        city: { type: 'string', description: 'where' },
        days: { type: 'integer', minimum: 1 },
        ratio: { type: 'number' },
        metric: { type: 'boolean' },
        units: { enum: ['metric', 'imperial'] },
        kind: { type: 'string', enum: ['a', 'b'] },
        tags: { type: 'array', items: { type: 'string' } },
        note: { type: 'string', nullable: true },
        either: { type: ['string', 'null'] },
        nested: { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] },
        anything: {},
        map: { type: 'object', additionalProperties: { type: 'number' } },
      },
      required: ['city', 'tags', 'nested'],
    } as const;
    expectTypeOf<FromSchema<typeof schema>>().toEqualTypeOf<{
      city: string;
      tags: string[];
      nested: { id: string };
      days?: number;
      ratio?: number;
      metric?: boolean;
      units?: 'metric' | 'imperial';
      kind?: 'a' | 'b';
      note?: string | null;
      either?: string | null;
      anything?: unknown;
      map?: Record<string, number>;
    }>();
    expectTypeOf<FromSchema<{ type: 'object' }>>().toEqualTypeOf<Record<string, unknown>>();
    expectTypeOf<FromSchema<{ type: 'array' }>>().toEqualTypeOf<unknown[]>();
    expectTypeOf<FromSchema<{ const: 'fixed' }>>().toEqualTypeOf<'fixed'>();
  });

  it('types handlers from the schemas without `as const`', () => {
    const capability = defineCapability({
      input: { type: 'object', properties: { q: { type: 'string' }, limit: { type: 'integer' } }, required: ['q'] },
      output: { type: 'object', properties: { hits: { type: 'array', items: { type: 'string' } } }, required: ['hits'] },
      handler(input, handlerContext) {
        expectTypeOf(input).toEqualTypeOf<{ q: string; limit?: number }>();
        expectTypeOf(handlerContext.settings).toEqualTypeOf<Record<string, string | number | boolean>>();
        return { hits: [input.q] };
      },
    });
    expectTypeOf(capability.handler).returns.toEqualTypeOf<{ hits: string[] } | Promise<{ hits: string[] }>>();
    defineCapability({
      input: { type: 'object', properties: {} },
      output: { type: 'object', properties: { n: { type: 'number' } }, required: ['n'] },
      // @ts-expect-error the output schema requires a number
      handler: () => ({ n: 'one' }),
    });
    expect(capability.input).toMatchObject({ required: ['q'] });
  });
});
