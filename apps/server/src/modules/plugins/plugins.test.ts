import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createBundle, generateSigningKey, signBundle } from '@atrium/plugin-sdk/tooling';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Atrium } from '../../app.ts';
import { eventually, testClient } from '../../testing/client.ts';
import { createTestAtrium } from '../../testing/harness.ts';
import { bundle, manifest, notesCode, trustedKeysEnv } from './testing/fixtures.ts';

let atrium: Atrium;
let client: ReturnType<typeof testClient>;
let peer: Server;
let peerUrl: string;

beforeAll(async () => {
  atrium = await createTestAtrium({
    env: { ATRIUM_PLUGIN_TRUSTED_KEYS: trustedKeysEnv, ATRIUM_PLUGIN_TIMEOUT_MS: '1000', ATRIUM_PLUGIN_FAILURE_LIMIT: '5' },
  });
  client = testClient(atrium);
  peer = createServer((request, response) => response.writeHead(200, { 'content-type': 'text/plain' }).end(`hello from ${request.url}`));
  await new Promise<void>((resolve) => peer.listen(0, '127.0.0.1', resolve));
  peerUrl = `http://127.0.0.1:${(peer.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await atrium?.close();
  await new Promise((resolve) => peer?.close(resolve));
});

async function installed(token: string, body: unknown, permissions?: string[], source?: Record<string, unknown>) {
  const install = await client.request('POST', '/api/v1/plugins', { token, body: source ?? { bundle: body } });
  expect(install.status, JSON.stringify(install.body)).toBe(201);
  const consent = await client.request('POST', `/api/v1/plugins/${install.body.id}/consent`, {
    token,
    body: { permissions: permissions ?? install.body.consent_required },
  });
  expect(consent.status, JSON.stringify(consent.body)).toBe(200);
  return consent.body;
}

const invoke = (token: string, capability: string, input: unknown = {}) =>
  client.request('POST', `/api/v1/capabilities/${capability}/invoke`, { token, body: { input } });

describe('plugins: lifecycle', () => {
  it('installs a signed bundle that waits for consent, then runs its capabilities with only what was granted', async () => {
    const owner = await client.signup();
    const install = await client.request('POST', '/api/v1/plugins', { token: owner.token, body: { bundle: bundle() } });
    expect(install.status).toBe(201);
    expect(install.body).toMatchObject({
      plugin_id: 'notes',
      version: '1.0.0',
      status: 'pending_consent',
      consent_required: ['data:write'],
      package: { signed_by: 'acme-test' },
    });
    expect((await invoke(owner.token, 'notes.add', { id: '1', text: 'hi' })).status).toBe(404);

    const wrong = await client.request('POST', `/api/v1/plugins/${install.body.id}/consent`, {
      token: owner.token,
      body: { permissions: ['data:write', 'secrets'] },
    });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error).toMatchObject({ code: 'consent_mismatch', param: 'permissions' });

    const consent = await client.request('POST', `/api/v1/plugins/${install.body.id}/consent`, {
      token: owner.token,
      body: { permissions: ['data:write'] },
    });
    expect(consent.body).toMatchObject({ status: 'enabled', granted_permissions: ['data:write'], consent_required: [] });

    const added = await invoke(owner.token, 'notes.add', { id: '1', text: 'buy milk' });
    expect(added.body).toMatchObject({ status: 'succeeded', output: { ok: true } });
    await invoke(owner.token, 'notes.add', { id: '2', text: 'call mum' });
    expect((await invoke(owner.token, 'notes.list')).body.output).toEqual(['buy milk', 'call mum']);

    const bad = await invoke(owner.token, 'notes.add', { id: '3' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.param).toBe('input.text');

    // Not granted: no secrets, no fetch, no llm in the sandbox at all.
    const probe = await invoke(owner.token, 'notes.probe');
    expect(probe.body.output).toEqual({
      process: 'undefined',
      require: 'undefined',
      fetch: 'undefined',
      setTimeout: 'undefined',
      WebAssembly: 'undefined',
      atrium_fetch: 'undefined',
      atrium_llm: 'undefined',
      import_failed: true,
    });

    const capabilities = await client.request('GET', '/api/v1/capabilities', { token: owner.token });
    const ids = capabilities.body.data.map((capability: { id: string }) => capability.id);
    expect(ids).toContain('notes.add');
    expect(capabilities.body.data.find((capability: { id: string }) => capability.id === 'notes.delete_all').requires_approval).toBe(true);

    const log = await client.request('GET', `/api/v1/plugins/${install.body.id}/executions`, { token: owner.token });
    expect(log.body.data[0]).toMatchObject({ capability_id: 'notes.probe', status: 'succeeded', via: 'api' });
    expect(log.body.data.some((entry: { input: { text?: string } }) => entry.input?.text === 'buy milk')).toBe(true);
  });

  it('keeps secret settings out of every answer and validates settings against the manifest', async () => {
    const owner = await client.signup();
    const plugin = await installed(owner.token, bundle({ permissions: ['data:write', 'secrets'] }));
    const patched = await client.request('PATCH', `/api/v1/plugins/${plugin.id}`, {
      token: owner.token,
      body: { settings: { greeting: 'Hello', token: 'sk-very-secret-value', mode: 'careful' } },
    });
    expect(patched.status).toBe(200);
    expect(patched.body.settings).toEqual({ greeting: 'Hello', mode: 'careful' });
    expect(patched.body.secrets_set).toEqual(['token']);
    expect(JSON.stringify(patched.body)).not.toContain('sk-very-secret-value');
    const whoami = await invoke(owner.token, 'notes.whoami');
    expect(whoami.body.output).toMatchObject({ version: '1.0.0', greeting: 'Hello', token_length: 20 });

    const badSelect = await client.request('PATCH', `/api/v1/plugins/${plugin.id}`, {
      token: owner.token,
      body: { settings: { mode: 'reckless' } },
    });
    expect(badSelect.body.error.param).toBe('settings.mode');
    const unknown = await client.request('PATCH', `/api/v1/plugins/${plugin.id}`, {
      token: owner.token,
      body: { settings: { colour: 'red' } },
    });
    expect(unknown.body.error.param).toBe('settings.colour');
  });

  it('disables and enables, updates with a permission diff that waits for consent, and uninstalls with its data', async () => {
    const owner = await client.signup();
    const plugin = await installed(owner.token, bundle());
    await invoke(owner.token, 'notes.add', { id: 'a', text: 'keep me' });

    await client.request('PATCH', `/api/v1/plugins/${plugin.id}`, { token: owner.token, body: { enabled: false } });
    expect((await invoke(owner.token, 'notes.list')).status).toBe(404);
    await client.request('PATCH', `/api/v1/plugins/${plugin.id}`, { token: owner.token, body: { enabled: true } });
    expect((await invoke(owner.token, 'notes.list')).body.output).toEqual(['keep me']);

    const update = await client.request('POST', `/api/v1/plugins/${plugin.id}/update`, {
      token: owner.token,
      body: { bundle: bundle({ version: '1.1.0', permissions: ['data:write', 'secrets'] }) },
    });
    expect(update.status).toBe(200);
    expect(update.body).toMatchObject({
      version: '1.0.0',
      status: 'enabled',
      pending_update: { version: '1.1.0', added_permissions: ['secrets'] },
      consent_required: ['data:write', 'secrets'],
    });
    // The current version keeps running until someone consents.
    expect((await invoke(owner.token, 'notes.whoami')).body.output.version).toBe('1.0.0');
    const consent = await client.request('POST', `/api/v1/plugins/${plugin.id}/consent`, {
      token: owner.token,
      body: { permissions: ['secrets', 'data:write'] },
    });
    expect(consent.body).toMatchObject({ version: '1.1.0', pending_update: null, granted_permissions: ['data:write', 'secrets'] });
    expect((await invoke(owner.token, 'notes.whoami')).body.output.version).toBe('1.1.0');
    expect((await invoke(owner.token, 'notes.list')).body.output).toEqual(['keep me']);

    // An update asking for nothing new applies at once.
    const quiet = await client.request('POST', `/api/v1/plugins/${plugin.id}/update`, {
      token: owner.token,
      body: { bundle: bundle({ version: '1.2.0', permissions: ['data:write'] }) },
    });
    expect(quiet.body).toMatchObject({ version: '1.2.0', pending_update: null, granted_permissions: ['data:write'] });

    const unconfirmed = await client.request('DELETE', `/api/v1/plugins/${plugin.id}`, { token: owner.token });
    expect(unconfirmed.status).toBe(400);
    expect(unconfirmed.body.error).toMatchObject({ code: 'confirmation_required', param: 'confirm' });
    const removed = await client.request('DELETE', `/api/v1/plugins/${plugin.id}?confirm=notes`, { token: owner.token });
    expect(removed.body).toEqual({ id: plugin.id, deleted: true, purged_records: 1 });
    expect((await client.request('GET', `/api/v1/plugins/${plugin.id}`, { token: owner.token })).status).toBe(404);

    // Installed again, it starts empty.
    await installed(owner.token, bundle());
    expect((await invoke(owner.token, 'notes.list')).body.output).toEqual([]);
  });

  it('holds a capability that requires approval until an admin approves or rejects it', async () => {
    const owner = await client.signup();
    await installed(owner.token, bundle());
    await invoke(owner.token, 'notes.add', { id: 'x', text: 'precious' });
    const waiting = await invoke(owner.token, 'notes.delete_all');
    expect(waiting.status).toBe(202);
    expect(waiting.body).toMatchObject({ status: 'pending_approval', output: null });
    expect((await invoke(owner.token, 'notes.list')).body.output).toEqual(['precious']);

    const queue = await client.request('GET', '/api/v1/capability-executions?status=pending_approval', { token: owner.token });
    expect(queue.body.data.map((entry: { id: string }) => entry.id)).toEqual([waiting.body.id]);
    const developer = await client.addMember(owner.token, 'developer');
    expect(
      (await client.request('POST', `/api/v1/capability-executions/${waiting.body.id}/approve`, { token: developer.token })).status,
    ).toBe(403);
    const approved = await client.request('POST', `/api/v1/capability-executions/${waiting.body.id}/approve`, { token: owner.token });
    expect(approved.body).toMatchObject({ status: 'succeeded', output: { deleted: 1 } });
    const again = await client.request('POST', `/api/v1/capability-executions/${waiting.body.id}/approve`, { token: owner.token });
    expect(again.status).toBe(409);

    const second = await invoke(owner.token, 'notes.delete_all');
    const rejected = await client.request('POST', `/api/v1/capability-executions/${second.body.id}/reject`, { token: owner.token });
    expect(rejected.body.status).toBe('rejected');
    const entry = await client.request('GET', `/api/v1/capability-executions/${second.body.id}`, { token: owner.token });
    expect(entry.body).toMatchObject({ status: 'rejected', decided_by: owner.user.id });
  });

  it('runs hooks for the domain events it was granted, in its own workspace', async () => {
    const owner = await client.signup();
    await installed(owner.token, bundle({ permissions: ['data:write', 'events:api_key.*'], hooks: ['api_key.created'] }));
    const key = await client.createKey(owner.token, owner.workspace.id);
    const stored = await eventually(async () => {
      const response = await atrium.kernel.database.sql.query<{ key: string }>(`select key from plugin_store where org_id = $1`, [
        owner.organization.id,
      ]);
      return response.rows.some((row) => row.key === `key:${key.id}`) && response.rows;
    });
    expect(stored.length).toBe(1);
  });

  it('meters executions as plugin_executions usage', async () => {
    const owner = await client.signup();
    await installed(owner.token, bundle());
    await invoke(owner.token, 'notes.list');
    await invoke(owner.token, 'notes.list');
    const usage = await eventually(async () => {
      const response = await client.request('GET', '/api/v1/usage?group_by=metric', { token: owner.token });
      const row = response.body.data.find((entry: { metric: string }) => entry.metric === 'plugin_executions');
      return row?.quantity >= 2 && row;
    });
    expect(usage.quantity).toBe(2);
  });
});

describe('plugins: the first-party catalogue', () => {
  it('offers the shipped plugins and installs one, built on the server, as first-party', async () => {
    const owner = await client.signup();
    const catalog = await client.request('GET', '/api/v1/plugin-catalog', { token: owner.token });
    const ids = catalog.body.data.map((entry: { id: string }) => entry.id);
    expect(ids).toEqual(expect.arrayContaining(['calendar', 'expenses', 'github', 'http', 'slack', 'assistant-pack']));
    const install = await client.request('POST', '/api/v1/plugins', { token: owner.token, body: { catalog: 'categorise-nothing' } });
    expect(install.status).toBe(404);
    const expenses = await installed(owner.token, undefined, undefined, { catalog: 'expenses' });
    expect(expenses.package).toMatchObject({ signed_by: 'atrium', source: 'catalog' });
    const recorded = await invoke(owner.token, 'expenses.categorise', { merchant: 'Uber', note: 'ride to the airport' });
    expect(recorded.body.status).toBe('succeeded');
    expect(recorded.body.output).toHaveProperty('category');
  });
});

describe('plugins: installing from a registry URL', () => {
  it('downloads a signed bundle, and refuses what is not a bundle', async () => {
    const owner = await client.signup();
    const served = bundle({ id: 'weather', name: 'Weather' });
    const registry = createServer((request, response) => {
      if (request.url === '/weather-1.0.0.atrium-plugin.json')
        response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(served));
      else response.writeHead(404).end('no such bundle');
    });
    await new Promise<void>((resolve) => registry.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(registry.address() as AddressInfo).port}`;
    try {
      const installed = await client.request('POST', '/api/v1/plugins', {
        token: owner.token,
        body: { url: `${base}/weather-1.0.0.atrium-plugin.json` },
      });
      expect(installed.status).toBe(201);
      expect(installed.body).toMatchObject({
        plugin_id: 'weather',
        package: { source: `${base}/weather-1.0.0.atrium-plugin.json`, signed_by: 'acme-test' },
      });
      const missing = await client.request('POST', '/api/v1/plugins', { token: owner.token, body: { url: `${base}/nothing.json` } });
      expect(missing.status).toBe(400);
      expect(missing.body.error).toMatchObject({ code: 'bundle_unavailable', param: 'url' });
    } finally {
      await new Promise((resolve) => registry.close(resolve));
    }
  });
});

describe('plugins: signatures and manifests', () => {
  it('refuses unsigned, tampered, untrusted and invalid bundles, naming the field', async () => {
    const owner = await client.signup();
    const post = (body: unknown) => client.request('POST', '/api/v1/plugins', { token: owner.token, body: { bundle: body } });

    const unsigned = await post(bundle({}, undefined, { sign: false }));
    expect(unsigned.body.error).toMatchObject({ code: 'unsigned_bundle', param: 'bundle.signature' });
    const tampered = await post({ ...bundle(), code: `${notesCode()}\n// more` });
    expect(tampered.body.error).toMatchObject({ code: 'digest_mismatch', param: 'bundle.digest' });
    const stranger = generateSigningKey('stranger');
    const untrusted = await post(signBundle(createBundle(manifest(), notesCode()), stranger.privateKeyPem, 'stranger'));
    expect(untrusted.body.error).toMatchObject({ code: 'untrusted_publisher', param: 'bundle.signature.key_id' });
    const forged = await post(signBundle(createBundle(manifest(), notesCode()), stranger.privateKeyPem, 'acme-test'));
    expect(forged.body.error).toMatchObject({ code: 'bad_signature', param: 'bundle.signature' });
    const badVersion = await post(bundle({ version: 'one' }));
    expect(badVersion.body.error).toMatchObject({ code: 'invalid_manifest', param: 'bundle.manifest.version' });
    const future = await post(bundle({ engines: { atrium: '^9.0.0' } }));
    expect(future.body.error).toMatchObject({ code: 'incompatible_version', param: 'bundle.manifest.engines.atrium' });
    const badSchema = await post(bundle({ capabilities: [{ name: 'odd', description: 'Bad schema', input: { type: 'nonsense' } }] }));
    expect(badSchema.body.error.param).toBe('bundle.manifest.capabilities.0.input');
    expect((await client.request('GET', '/api/v1/plugins', { token: owner.token })).body.data).toEqual([]);

    // Developer mode lets the organisation install its own unsigned builds.
    const member = await client.addMember(owner.token, 'developer');
    const refused = await client.request('PATCH', '/api/v1/plugin-settings', { token: member.token, body: { developer_mode: true } });
    expect(refused.status).toBe(403);
    await client.request('PATCH', '/api/v1/plugin-settings', { token: owner.token, body: { developer_mode: true } });
    const dev = await post(bundle({}, undefined, { sign: false }));
    expect(dev.status).toBe(201);
    expect(dev.body.package.signed_by).toBeNull();
  });
});

describe('plugins: isolation and limits', () => {
  it('ends runaway loops and memory bombs within their limits while the server keeps answering', async () => {
    const owner = await client.signup();
    await installed(owner.token, bundle());
    const started = Date.now();
    const spinning = invoke(owner.token, 'notes.spin');
    const bombing = invoke(owner.token, 'notes.bomb');
    // Meanwhile other requests, and the same plugin for someone else, are served normally.
    const other = await client.signup();
    await installed(other.token, bundle());
    const quick = Date.now();
    expect((await invoke(other.token, 'notes.add', { id: '1', text: 'fine' })).body.status).toBe('succeeded');
    expect(Date.now() - quick).toBeLessThan(900);

    const [spin, bomb] = await Promise.all([spinning, bombing]);
    expect(spin.body).toMatchObject({ status: 'failed', error: { code: 'timeout' } });
    expect(bomb.body.status).toBe('failed');
    expect(['out_of_memory', 'timeout']).toContain(bomb.body.error.code);
    expect(Date.now() - started).toBeLessThan(5_000);

    const fail = await invoke(owner.token, 'notes.fail');
    expect(fail.body).toMatchObject({ status: 'failed', error: { code: 'plugin_error' } });
    expect(fail.body.error.message).toContain('the notes are on fire');
    expect(fail.body.error.message).not.toMatch(/at .*\.ts/);
    const junk = await invoke(owner.token, 'notes.junk');
    expect(junk.body.error.code).toBe('invalid_output');
    // Still healthy for the next call.
    expect((await invoke(owner.token, 'notes.list')).body.status).toBe('succeeded');
  });

  it('disables a plugin after consecutive failures, with the reason', async () => {
    const owner = await client.signup();
    const plugin = await installed(owner.token, bundle());
    for (let attempt = 0; attempt < 5; attempt++) await invoke(owner.token, 'notes.fail');
    const disabled = await eventually(async () => {
      const response = await client.request('GET', `/api/v1/plugins/${plugin.id}`, { token: owner.token });
      return response.body.status === 'disabled' && response.body;
    });
    expect(disabled.disabled_reason).toContain('5 consecutive failed calls');
    expect((await invoke(owner.token, 'notes.list')).status).toBe(404);
  });

  it('keeps each organization’s store apart and fetches only granted hosts', async () => {
    const first = await client.signup();
    const second = await client.signup();
    const permissions = ['data:write', `network:127.0.0.1:${new URL(peerUrl).port}`];
    await installed(first.token, bundle({ permissions }));
    await installed(second.token, bundle({ permissions }));
    await invoke(first.token, 'notes.add', { id: '1', text: 'first only' });
    expect((await invoke(second.token, 'notes.list')).body.output).toEqual([]);

    // Secrets too: the second organisation's installation never sees the first one's.
    const update = async (token: string) => {
      const [mine] = (await client.request('GET', '/api/v1/plugins', { token })).body.data;
      const updated = await client.request('POST', `/api/v1/plugins/${mine.id}/update`, {
        token,
        body: { bundle: bundle({ version: '1.1.0', permissions: [...permissions, 'secrets'] }) },
      });
      await client.request('POST', `/api/v1/plugins/${mine.id}/consent`, { token, body: { permissions: updated.body.consent_required } });
      return mine.id as string;
    };
    const firstPlugin = await update(first.token);
    await update(second.token);
    await client.request('PATCH', `/api/v1/plugins/${firstPlugin}`, {
      token: first.token,
      body: { settings: { token: 'first-org-secret' } },
    });
    expect((await invoke(first.token, 'notes.whoami')).body.output.token_length).toBe('first-org-secret'.length);
    expect((await invoke(second.token, 'notes.whoami')).body.output.token_length).toBe(0);

    const allowed = await invoke(first.token, 'notes.get', { url: `${peerUrl}/ping` });
    expect(allowed.body.output).toEqual({ status: 200, body: 'hello from /ping' });
    const elsewhere = await invoke(first.token, 'notes.get', { url: 'http://127.0.0.2:9/' });
    expect(elsewhere.body.output.error).toContain('not granted');
  });

  it('refuses loopback and private addresses when the operator has not allowed them', async () => {
    const strict = await createTestAtrium({ env: { ATRIUM_PLUGIN_TRUSTED_KEYS: trustedKeysEnv, ATRIUM_ALLOW_PRIVATE_NETWORKS: 'false' } });
    try {
      const strictClient = testClient(strict);
      const owner = await strictClient.signup();
      const port = new URL(peerUrl).port;
      const install = await strictClient.request('POST', '/api/v1/plugins', {
        token: owner.token,
        body: { bundle: bundle({ permissions: [`network:127.0.0.1:${port}`, 'network:localhost'] }) },
      });
      await strictClient.request('POST', `/api/v1/plugins/${install.body.id}/consent`, {
        token: owner.token,
        body: { permissions: install.body.consent_required },
      });
      for (const url of [`${peerUrl}/secret`, 'http://localhost/']) {
        const response = await strictClient.request('POST', '/api/v1/capabilities/notes.get/invoke', {
          token: owner.token,
          body: { input: { url } },
        });
        expect(response.body.output.error, url).toMatch(/private|loopback|not allowed|refuse/i);
      }
    } finally {
      await strict.close();
    }
  });
});
