import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Atrium } from '../../app.ts';
import { eventually, testClient } from '../../testing/client.ts';
import { createTestAtrium } from '../../testing/harness.ts';
import { startSmtpServer } from '../../testing/smtp.ts';
import { endpointWants } from './service.ts';
import { matchesEventType, RETRY_SCHEDULE_SECONDS } from './signing.ts';

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

/** A real HTTP receiver on loopback; answers `status()` to each request. */
async function startReceiver(status: () => number) {
  const received: Received[] = [];
  const server: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => {
      body += chunk;
    });
    request.on('end', () => {
      received.push({ headers: request.headers, body });
      response.writeHead(status(), { 'content-type': 'text/plain' }).end('thanks');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return { url, received, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

let now = Date.now();
let atrium: Atrium;
let client: ReturnType<typeof testClient>;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
let answer = 200;

beforeAll(async () => {
  smtp = await startSmtpServer();
  atrium = await createTestAtrium({ env: { ATRIUM_ALLOW_PRIVATE_NETWORKS: 'true', SMTP_URL: smtp.url }, clock: () => new Date(now) });
  client = testClient(atrium);
  receiver = await startReceiver(() => answer);
});
afterAll(async () => {
  await atrium?.close();
  await receiver?.close();
  await smtp?.close();
});

describe('webhooks', () => {
  it('delivers subscribed events signed per Standard Webhooks, and logs each attempt', async () => {
    const owner = await client.signup();
    const created = await client.request('POST', '/api/v1/webhooks', {
      token: owner.token,
      body: { url: receiver.url, event_types: ['workspace.*'] },
    });
    expect(created.status).toBe(201);
    expect(created.body.secret).toMatch(/^whsec_/);
    expect(created.body.id).toMatch(/^whe_/);

    await client.request('POST', '/api/v1/workspaces', { token: owner.token, body: { name: 'Hooked' } });
    await client.request('POST', '/api/v1/api-keys', {
      token: owner.token,
      body: { name: 'not subscribed', workspace_id: owner.workspace.id },
    });
    const delivery = await eventually(async () =>
      receiver.received.find((entry) => entry.body.includes('"workspace.created"') && entry.body.includes('Hooked')),
    );

    const verified = new Webhook(created.body.secret).verify(delivery.body, {
      'webhook-id': String(delivery.headers['webhook-id']),
      'webhook-timestamp': String(delivery.headers['webhook-timestamp']),
      'webhook-signature': String(delivery.headers['webhook-signature']),
    }) as { type: string; data: { name: string } };
    expect(verified.type).toBe('workspace.created');
    expect(verified.data.name).toBe('Hooked');
    expect(() =>
      new Webhook('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw').verify(delivery.body, delivery.headers as Record<string, string>),
    ).toThrow();
    expect(receiver.received.some((entry) => entry.body.includes('api_key.created'))).toBe(false);

    const log = await eventually(async () => {
      const response = await client.request('GET', `/api/v1/webhooks/${created.body.id}/deliveries`, { token: owner.token });
      return response.body.data.length > 0 && response.body.data;
    });
    expect(log[0]).toMatchObject({ status_code: 200, response_excerpt: 'thanks', message_status: 'succeeded', attempt: 1 });
  });

  it('sends a test event on demand and retries a failing endpoint', async () => {
    const owner = await client.signup();
    const created = await client.request('POST', '/api/v1/webhooks', {
      token: owner.token,
      body: { url: receiver.url, event_types: ['member.*'] },
    });
    answer = 500;
    const test = await client.request('POST', `/api/v1/webhooks/${created.body.id}/test`, { token: owner.token });
    expect(test.status).toBe(202);
    const attempts = await eventually(async () => {
      const response = await client.request('GET', `/api/v1/webhooks/${created.body.id}/deliveries`, { token: owner.token });
      return response.body.data.length >= 2 && response.body.data;
    }, 20_000);
    answer = 200;
    expect(attempts.map((entry: { status_code: number }) => entry.status_code)).toEqual([500, 500]);
    expect(attempts[0]).toMatchObject({ event_type: 'webhook.test', attempt: 2, message_status: 'pending' });
  });

  it('refuses unknown event types and private addresses unless allowed, naming the field', async () => {
    const owner = await client.signup();
    const unknown = await client.request('POST', '/api/v1/webhooks', {
      token: owner.token,
      body: { url: receiver.url, event_types: ['nope.happened'] },
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error).toMatchObject({ code: 'unknown_event_type', param: 'event_types[0]' });
    const catalog = await client.request('GET', '/api/v1/webhooks/event-types', { token: owner.token });
    expect(catalog.body.data.map((entry: { type: string }) => entry.type)).toEqual(
      expect.arrayContaining(['api_key.created', 'member.added', 'webhook.test']),
    );
    expect(catalog.body.data.find((entry: { type: string }) => entry.type === 'api_key.created').schema.type).toBe('object');

    const strict = await createTestAtrium({ env: { ATRIUM_ALLOW_PRIVATE_NETWORKS: 'false' } });
    try {
      const strictClient = testClient(strict);
      const account = await strictClient.signup();
      for (const url of [receiver.url, 'http://10.1.2.3/x', 'http://[::1]:8080/x', 'http://169.254.169.254/latest']) {
        const refused = await strictClient.request('POST', '/api/v1/webhooks', { token: account.token, body: { url, event_types: ['*'] } });
        expect(refused.status, url).toBe(400);
        expect(refused.body.error).toMatchObject({ code: 'private_address', param: 'url' });
      }
    } finally {
      await strict.close();
    }
  });

  it('rotates the secret with both secrets signing for a day, and replays a message', async () => {
    const owner = await client.signup();
    const created = await client.request('POST', '/api/v1/webhooks', {
      token: owner.token,
      body: { url: receiver.url, event_types: ['workspace.*'] },
    });
    const rotated = await client.request('POST', `/api/v1/webhooks/${created.body.id}/rotate-secret`, { token: owner.token });
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).not.toBe(created.body.secret);
    const test = await client.request('POST', `/api/v1/webhooks/${created.body.id}/test`, { token: owner.token });
    const delivery = await eventually(async () => receiver.received.find((entry) => entry.headers['webhook-id'] === test.body.message_id));
    const headers = {
      'webhook-id': String(delivery.headers['webhook-id']),
      'webhook-timestamp': String(delivery.headers['webhook-timestamp']),
      'webhook-signature': String(delivery.headers['webhook-signature']),
    };
    expect(() => new Webhook(rotated.body.secret).verify(delivery.body, headers)).not.toThrow();
    expect(() => new Webhook(created.body.secret).verify(delivery.body, headers)).not.toThrow();

    const replay = await client.request('POST', `/api/v1/webhooks/${created.body.id}/replay`, {
      token: owner.token,
      body: { message_id: test.body.message_id },
    });
    expect(replay.status).toBe(202);
    await eventually(async () => receiver.received.filter((entry) => entry.headers['webhook-id'] === test.body.message_id).length === 2);
  });

  it('disables an endpoint whose deliveries have failed for five days, with a notice event', async () => {
    const owner = await client.signup();
    const created = await client.request('POST', '/api/v1/webhooks', {
      token: owner.token,
      body: { url: receiver.url, event_types: ['webhook.*'] },
    });
    answer = 503;
    try {
      await client.request('POST', `/api/v1/webhooks/${created.body.id}/test`, { token: owner.token });
      await eventually(
        async () => (await client.request('GET', `/api/v1/webhooks/${created.body.id}`, { token: owner.token })).body.failing_since,
      );
      now += 5 * 86_400_000 + 1000;
      await client.request('POST', `/api/v1/webhooks/${created.body.id}/test`, { token: owner.token });
      const disabled = await eventually(async () => {
        const endpoint = await client.request('GET', `/api/v1/webhooks/${created.body.id}`, { token: owner.token });
        return endpoint.body.enabled === false && endpoint.body;
      });
      expect(disabled.disabled_reason).toContain('5 days');
      const audit = await eventually(async () => {
        const entries = await client.request('GET', '/api/v1/audit-logs?action=webhook.endpoint_disabled', { token: owner.token });
        return entries.body.data.length > 0 && entries.body.data;
      });
      expect(audit[0].changes.endpoint_id).toBe(created.body.id);
      const notice = await eventually(async () => smtp.received.find((message) => message.to.includes(owner.email)));
      expect(notice.raw).toContain('A webhook endpoint was disabled');
    } finally {
      answer = 200;
    }
  });

  it('documents every event type of the catalogue in docs/events.md', () => {
    const documented = readFileSync(fileURLToPath(new URL('../../../../../docs/events.md', import.meta.url)), 'utf8');
    const missing = atrium.kernel.events.catalog().filter((entry) => !documented.includes(`\`${entry.type}\``));
    expect(missing.map((entry) => entry.type)).toEqual([]);
  });

  it('delivers only what the payload filter and the workspace let through, at the endpoint’s rate', async () => {
    const owner = await client.signup();
    const filtered = await client.request('POST', '/api/v1/webhooks', {
      token: owner.token,
      body: { url: receiver.url, event_types: ['workspace.created'], filter: { name: 'Match me' }, rate_limit: 1 },
    });
    expect(filtered.body).toMatchObject({ filter: { name: 'Match me' }, rate_limit: 1 });
    await client.request('POST', '/api/v1/workspaces', { token: owner.token, body: { name: 'Not this one' } });
    await client.request('POST', '/api/v1/workspaces', { token: owner.token, body: { name: 'Match me' } });
    await eventually(async () => receiver.received.some((entry) => entry.body.includes('"Match me"')));
    expect(receiver.received.some((entry) => entry.body.includes('Not this one'))).toBe(false);

    const limited = await client.request('POST', '/api/v1/webhooks', {
      token: owner.token,
      body: { url: receiver.url, event_types: ['webhook.test'], rate_limit: 1 },
    });
    const started = Date.now();
    const ids: string[] = [];
    for (let index = 0; index < 3; index++) {
      ids.push((await client.request('POST', `/api/v1/webhooks/${limited.body.id}/test`, { token: owner.token })).body.message_id);
    }
    await eventually(async () => ids.every((id) => receiver.received.some((entry) => entry.headers['webhook-id'] === id)), 15_000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
  });

  it('routes workspace events only to that workspace’s endpoints and to organization-wide ones', () => {
    const event = { type: 'workspace.updated', payload: { workspace_id: 'ws_a' } };
    expect(endpointWants({ eventTypes: ['*'], workspaceId: 'ws_a', filter: null }, event)).toBe(true);
    expect(endpointWants({ eventTypes: ['*'], workspaceId: 'ws_b', filter: null }, event)).toBe(false);
    expect(endpointWants({ eventTypes: ['*'], workspaceId: null, filter: null }, event)).toBe(true);
    expect(endpointWants({ eventTypes: ['*'], workspaceId: 'ws_b', filter: null }, { type: 'member.added', payload: {} })).toBe(true);
    expect(endpointWants({ eventTypes: ['workspace.*'], workspaceId: null, filter: { workspace_id: 'ws_b' } }, event)).toBe(false);
  });

  it('follows the documented retry schedule and wildcard rules', () => {
    expect(RETRY_SCHEDULE_SECONDS).toEqual([0, 5, 300, 1800, 7200, 18_000, 36_000, 36_000]);
    expect(matchesEventType(['workspace.*'], 'workspace.created')).toBe(true);
    expect(matchesEventType(['workspace.*'], 'workspaces.created')).toBe(false);
    expect(matchesEventType(['*'], 'anything.at_all')).toBe(true);
  });
});
