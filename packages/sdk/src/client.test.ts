import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Atrium } from '../../../apps/server/src/app.ts';
import { createTestAtrium } from '../../../apps/server/src/testing/harness.ts';
import { AtriumError, createClient } from './index.ts';

let atrium: Atrium;
let baseUrl: string;
beforeAll(async () => {
  atrium = await createTestAtrium();
  await atrium.http.listen({ host: '127.0.0.1', port: 0 });
  baseUrl = `http://127.0.0.1:${(atrium.http.server.address() as AddressInfo).port}`;
});
afterAll(() => atrium?.close());

describe('@atrium/sdk over real HTTP', () => {
  it('signs up, creates a key and works with it', async () => {
    const owner = createClient({ baseUrl });
    const session = await owner.auth.signup({
      email: 'sdk-user@example.com',
      password: 'sdk password 123',
      name: 'SDK',
      organization: 'SDK Org',
    });
    const key = await owner.apiKeys.create({ name: 'sdk', workspace_id: session.workspace.id });

    const machine = createClient({ baseUrl, token: key.key });
    const me = await machine.me();
    expect(me.api_key?.id).toBe(key.id);
    const created = await machine.workspaces.create({ name: 'From SDK' }, { idempotencyKey: 'sdk-1' });
    const replayed = await machine.workspaces.create({ name: 'From SDK' }, { idempotencyKey: 'sdk-1' });
    expect(replayed.id).toBe(created.id);
    expect((await machine.workspaces.list()).data.map((space) => space.name)).toContain('From SDK');
  });

  it('throws AtriumError with the envelope fields', async () => {
    const client = createClient({ baseUrl });
    const error = await client.auth.login({ email: 'nobody@example.com', password: 'x' }).catch((caught) => caught);
    expect(error).toBeInstanceOf(AtriumError);
    expect(error).toMatchObject({ status: 401, type: 'authentication_error', code: 'invalid_credentials' });
    expect(error.requestId).toMatch(/^req_/);
  });
});
