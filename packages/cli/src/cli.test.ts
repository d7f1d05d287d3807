import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createClient } from '@atrium/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Atrium } from '../../../apps/server/src/app.ts';
import { createTestAtrium } from '../../../apps/server/src/testing/harness.ts';

const bin = fileURLToPath(new URL('../bin/atrium.mjs', import.meta.url));
const home = mkdtempSync(join(tmpdir(), 'atrium-cli-home-'));
const configDirectory = join(home, 'config');
const credentialsFile = join(configDirectory, 'credentials.json');
const email = 'cli-user@example.com';
const password = 'cli password 123';

let atrium: Atrium;
let baseUrl: string;

const collect = async (stream: AsyncIterable<Buffer>) => {
  let text = '';
  for await (const chunk of stream) text += chunk;
  return text;
};

/** Runs the real bin in a clean environment (no inherited ATRIUM_* variables). */
async function cli(args: string[], options: { input?: string; env?: Record<string, string> } = {}) {
  const child = spawn(process.execPath, [bin, ...args], {
    env: { HOME: home, ATRIUM_URL: baseUrl, ATRIUM_CONFIG_DIR: configDirectory, ...options.env },
  });
  child.stdin.end(options.input ?? '');
  const exited = new Promise<number | null>((resolve, reject) => child.on('error', reject).on('close', resolve));
  const [stdout, stderr, code] = await Promise.all([collect(child.stdout), collect(child.stderr), exited]);
  return { code, stdout, stderr };
}

beforeAll(async () => {
  atrium = await createTestAtrium();
  await atrium.http.listen({ host: '127.0.0.1', port: 0 });
  baseUrl = `http://127.0.0.1:${(atrium.http.server.address() as AddressInfo).port}`;
  await createClient({ baseUrl }).auth.signup({ email, password, name: 'CLI User', organization: 'CLI Org' });
});
afterAll(() => atrium?.close());

describe('atrium CLI (real bin, real server)', () => {
  let workspaceId: string;
  let keyId: string;
  let secret: string;

  it('logs in with --password-stdin and stores the session with mode 0600', async () => {
    const result = await cli(['login', '--email', email, '--password-stdin'], { input: `${password}\n` });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`logged in to ${baseUrl} as ${email}`);
    expect(statSync(credentialsFile).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(credentialsFile, 'utf8'))).toMatchObject({ url: baseUrl, refresh_token: expect.any(String) });
  });

  it('says who is logged in', async () => {
    const human = await cli(['whoami']);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/^user\s+CLI User <cli-user@example\.com>/m);
    expect(human.stdout).toMatch(/^role\s+owner$/m);
    const json = JSON.parse((await cli(['whoami', '--json'])).stdout);
    expect(json).toMatchObject({ user: { email }, organization: { name: 'CLI Org' }, role: 'owner', api_key: null });
  });

  it('creates and lists workspaces', async () => {
    const created = await cli(['workspaces', 'create', 'Research', '--description', 'R&D', '--json']);
    expect(created.code).toBe(0);
    workspaceId = JSON.parse(created.stdout).id;
    expect(workspaceId).toMatch(/^ws_/);
    const list = JSON.parse((await cli(['workspaces', 'list', '--json'])).stdout);
    expect(list.data.map((space: { id: string }) => space.id)).toContain(workspaceId);
    const table = await cli(['workspaces', 'list']);
    expect(table.stdout).toMatch(/^ID\s+NAME\s+SLUG/);
    expect(table.stdout).toMatch(new RegExp(`^${workspaceId}\\s+Research\\s+research\\s+R&D`, 'm'));
  });

  it('creates a key whose secret works, from the flag and from ATRIUM_API_KEY', async () => {
    const created = await cli(['keys', 'create', '--name', 'ci', '--workspace', workspaceId, '--scope', 'workspaces:read', '--json']);
    expect(created.code).toBe(0);
    expect(created.stderr).toContain('will not be shown again');
    ({ id: keyId, key: secret } = JSON.parse(created.stdout));
    expect(secret).toMatch(/^atr_live_/);
    const me = JSON.parse((await cli(['whoami', '--api-key', secret, '--json'])).stdout);
    expect(me.api_key).toMatchObject({ id: keyId, workspace_id: workspaceId });
    const fromEnvironment = await cli(['whoami'], { env: { ATRIUM_API_KEY: secret } });
    expect(fromEnvironment.stdout).toMatch(new RegExp(`^api key\\s+${keyId}$`, 'm'));
  });

  it('rotates a key (the old secret stops at once with --overlap 0) and revokes it', async () => {
    const rotated = await cli(['keys', 'rotate', keyId, '--overlap', '0']);
    expect(rotated.code).toBe(0);
    expect(rotated.stderr).toContain('will not be shown again');
    const next = /^key\s+(atr_live_\S+)$/m.exec(rotated.stdout)?.[1];
    const nextId = /^id\s+(key_\S+)$/m.exec(rotated.stdout)?.[1];
    expect(next && nextId).toBeTruthy();
    expect(rotated.stdout).toMatch(new RegExp(`^replaces\\s+${keyId}$`, 'm'));
    expect((await cli(['whoami', '--api-key', next!])).code).toBe(0);
    expect((await cli(['whoami', '--api-key', secret])).code).toBe(1);

    const revoked = await cli(['keys', 'revoke', nextId!]);
    expect(revoked).toMatchObject({ code: 0, stdout: `revoked key ${nextId}\n` });
    const refused = await cli(['whoami', '--api-key', next!]);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toMatch(/^error: .+ \(invalid_api_key, request req_\S+\)$/m);
    const list = JSON.parse((await cli(['keys', 'list', '--json'])).stdout);
    expect(list.data.find((key: { id: string }) => key.id === nextId).revoked_at).not.toBeNull();
  });

  it('lists members and invites by email', async () => {
    expect((await cli(['members', 'list'])).stdout).toMatch(/^mem_\S+\s+cli-user@example\.com\s+CLI User\s+owner/m);
    const invited = await cli(['invite', 'grace@example.com', '--role', 'developer']);
    expect(invited.code).toBe(0);
    expect(invited.stdout).toMatch(/^url\s+http\S+/m);
  });

  it('refreshes an expired access token once and saves the new pair', async () => {
    const stored = JSON.parse(readFileSync(credentialsFile, 'utf8'));
    writeFileSync(credentialsFile, JSON.stringify({ ...stored, access_token: 'expired' }), { mode: 0o600 });
    const result = await cli(['whoami', '--json']);
    expect(result.code).toBe(0);
    const saved = JSON.parse(readFileSync(credentialsFile, 'utf8'));
    expect(saved.access_token).not.toBe('expired');
    expect(saved.refresh_token).not.toBe(stored.refresh_token);
    expect(statSync(credentialsFile).mode & 0o777).toBe(0o600);
  });

  it('exits 2 on bad usage', async () => {
    const unknown = await cli(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("error: unknown command 'frobnicate'");
    expect((await cli(['keys', 'create', '--name', 'x'])).code).toBe(2);
  });

  it('logs out, ending the session on the server, and forgets it', async () => {
    const { refresh_token } = JSON.parse(readFileSync(credentialsFile, 'utf8'));
    const result = await cli(['logout']);
    expect(result).toMatchObject({ code: 0, stdout: `logged out of ${baseUrl}\n` });
    expect(() => statSync(credentialsFile)).toThrow();
    await expect(createClient({ baseUrl }).auth.refresh(refresh_token)).rejects.toMatchObject({ status: 401 });
    const after = await cli(['whoami']);
    expect(after.code).toBe(1);
    expect(after.stderr).toContain('not logged in');
  });
});
