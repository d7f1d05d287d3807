import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURE_MANIFEST, writeFixturePlugin } from '../tooling/fixtures.ts';
import { packPlugin } from '../tooling/pack.ts';
import { createHarness, type Harness } from './index.ts';

describe('createHarness (real sandbox, in-memory host)', () => {
  const requests: Array<{ url: string; headers: Record<string, string> }> = [];
  let harness: Harness;

  beforeAll(async () => {
    harness = await createHarness({
      dir: writeFixturePlugin(),
      secrets: { token: 't0k' },
      workspaceId: 'ws_42',
      fetch: (url, init) => {
        requests.push({ url, headers: init.headers });
        return { status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ url, temperature: 21 }) };
      },
    });
  });
  afterAll(() => harness?.close());

  it('runs a capability that uses the store and the log', async () => {
    expect(await harness.invoke('remember', { key: 'a', text: 'first' })).toEqual({ count: 1 });
    expect(await harness.invoke('remember', { key: 'b', text: 'second' })).toEqual({ count: 2 });
    expect([...harness.store]).toEqual([
      ['note:a', 'first'],
      ['note:b', 'second'],
    ]);
    expect(harness.logs).toContainEqual({ level: 'info', message: 'remembered', fields: { key: 'b' } });
  });

  it('passes the context with non-secret settings and their defaults', async () => {
    expect(harness.context).toEqual({
      workspace_id: 'ws_42',
      installation_id: 'pin_test',
      plugin_id: 'acme-notes',
      settings: { greeting: 'Hello' },
    });
    expect(await harness.invoke('greet', {})).toEqual({ text: 'Hello, ws_42' });
  });

  it('fetches allowed hosts with secrets, and refuses the others', async () => {
    expect(await harness.invoke('lookup', { url: 'https://api.example.com/weather' })).toEqual({
      url: 'https://api.example.com/weather',
      temperature: 21,
    });
    expect(requests).toEqual([
      { url: 'https://api.example.com/weather', headers: { accept: 'application/json', authorization: 'Bearer t0k' } },
    ]);

    await expect(harness.invoke('lookup', { url: 'https://evil.example.net/steal' })).rejects.toMatchObject({
      code: 'plugin_error',
      message: expect.stringMatching(/^fetch to https:\/\/evil\.example\.net\/steal is not allowed/),
    });
    expect(requests).toHaveLength(1);
    expect(harness.fetched.map(({ url, allowed }) => [url, allowed])).toEqual([
      ['https://api.example.com/weather', true],
      ['https://evil.example.net/steal', false],
    ]);
  });

  it('delivers events to hooks, which emit plugin events', async () => {
    await harness.hook('workspace.created', { workspace_id: 'ws_7' });
    expect(harness.emitted).toEqual([
      { type: 'plugin.acme-notes.workspace.noticed', payload: { noticed: 'ws_7', workspace_id: 'ws_42', installation_id: 'pin_test' } },
    ]);
    await expect(harness.hook('member.added', {})).rejects.toMatchObject({ code: 'not_subscribed' });
  });

  it('refuses capabilities the manifest does not declare', async () => {
    await expect(harness.invoke('forget', {})).rejects.toMatchObject({ code: 'not_found' });
  });
});

describe('createHarness permissions and limits', () => {
  it('leaves out the host functions the manifest does not grant', async () => {
    const manifest = { ...FIXTURE_MANIFEST, permissions: ['data:read', 'events:workspace.created'] };
    const harness = await createHarness({ dir: writeFixturePlugin({ manifest }) });
    try {
      await expect(harness.invoke('remember', { key: 'a', text: 'x' })).rejects.toMatchObject({
        code: 'plugin_error',
        guestName: 'HostUnavailableError',
        message: 'atrium.store.set is not available; it needs the permission data:write',
      });
      await expect(harness.invoke('lookup', { url: 'https://api.example.com/' })).rejects.toMatchObject({
        guestName: 'HostUnavailableError',
        message: expect.stringContaining('atrium.secrets.get is not available'),
      });
      expect(harness.store.size).toBe(0);
      expect(harness.fetched).toEqual([]);
    } finally {
      await harness.close();
    }
  });

  it('stops a capability at its timeout', async () => {
    const manifest = {
      ...FIXTURE_MANIFEST,
      capabilities: [{ name: 'spin', description: 'Never returns', input: { type: 'object' }, timeout_ms: 100 }],
      hooks: [],
    };
    const source = `import { definePlugin } from '@atrium/plugin-sdk';\ndefinePlugin({ capabilities: { spin: () => { for (;;) {} } } });\n`;
    const harness = await createHarness({ dir: writeFixturePlugin({ manifest, source }) });
    try {
      await expect(harness.invoke('spin', {})).rejects.toMatchObject({ code: 'timeout' });
    } finally {
      await harness.close();
    }
  });

  it('answers atrium.llm.chat with the llm handler', async () => {
    const manifest = {
      ...FIXTURE_MANIFEST,
      permissions: ['llm'],
      capabilities: [{ name: 'ask', description: 'Asks a model', input: { type: 'object' } }],
      hooks: [],
    };
    const source = `import { atrium, definePlugin } from '@atrium/plugin-sdk';
definePlugin({ capabilities: { ask: async (input) => {
  const completion = await atrium.llm.chat({ model: 'small', messages: [{ role: 'user', content: input.question }] });
  return { answer: completion.choices[0].message.content, model: completion.model };
} } });
`;
    const requests: unknown[] = [];
    const harness = await createHarness({
      dir: writeFixturePlugin({ manifest, source }),
      llm: (request) => {
        requests.push(request);
        const message = { role: 'assistant' as const, content: 'Forty-two.' };
        return {
          id: 'chatcmpl_1',
          object: 'chat.completion',
          created: 0,
          model: request.model,
          choices: [{ index: 0, message, finish_reason: 'stop' }],
        };
      },
    });
    try {
      expect(await harness.invoke('ask', { question: 'Why?' })).toEqual({ answer: 'Forty-two.', model: 'small' });
      expect(requests).toEqual([{ model: 'small', messages: [{ role: 'user', content: 'Why?' }] }]);
    } finally {
      await harness.close();
    }
  });

  it('runs a packed bundle file', async () => {
    const { file } = await packPlugin({ dir: writeFixturePlugin() });
    const harness = await createHarness({ bundle: file, settings: { greeting: 'Hej' } });
    try {
      expect(await harness.invoke('greet', {})).toEqual({ text: 'Hej, ws_test' });
    } finally {
      await harness.close();
    }
  });
});
