import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Atrium } from '../../app.ts';
import { eventually, testClient } from '../../testing/client.ts';
import { createTestAtrium } from '../../testing/harness.ts';
import { decodeEmail, startSmtpServer, tokenIn } from '../../testing/smtp.ts';

let atrium: Atrium;
let smtp: Awaited<ReturnType<typeof startSmtpServer>>;

beforeAll(async () => {
  smtp = await startSmtpServer();
  atrium = await createTestAtrium({ env: { SMTP_URL: smtp.url, ATRIUM_PUBLIC_URL: 'https://atrium.example.com' } });
});
afterAll(async () => {
  await atrium?.close();
  await smtp?.close();
});

describe('password reset by email', () => {
  it('emails a one-time link that sets a new password and signs out every session', async () => {
    const client = testClient(atrium);
    const account = await client.signup();
    expect((await client.request('POST', '/api/v1/auth/password/forgot', { body: { email: account.email } })).status).toBe(202);

    const email = await eventually(async () => smtp.received.find((message) => message.to.includes(account.email)));
    expect(decodeEmail(email.raw)).toContain('https://atrium.example.com/reset-password?token=prt_');
    const token = tokenIn(email.raw, 'prt_');
    expect(token).toBeDefined();

    const reset = await client.request('POST', '/api/v1/auth/password/reset', { body: { token, password: 'my new long password' } });
    expect(reset.status).toBe(204);
    expect((await client.request('GET', '/api/v1/me', { token: account.token })).status).toBe(401);
    expect(
      (await client.request('POST', '/api/v1/auth/login', { body: { email: account.email, password: account.password } })).status,
    ).toBe(401);
    expect(
      (await client.request('POST', '/api/v1/auth/login', { body: { email: account.email, password: 'my new long password' } })).status,
    ).toBe(200);

    const again = await client.request('POST', '/api/v1/auth/password/reset', { body: { token, password: 'yet another password' } });
    expect(again.status).toBe(400);
    expect(again.body.error.code).toBe('invalid_reset_token');
  });

  it('emails invitations with an accept link', async () => {
    const client = testClient(atrium);
    const owner = await client.signup();
    const invite = await client.request('POST', '/api/v1/invitations', {
      token: owner.token,
      body: { email: 'newcomer@example.com', role: 'developer' },
    });
    expect(invite.status).toBe(201);
    const email = await eventually(async () => smtp.received.find((message) => message.to.includes('newcomer@example.com')));
    expect(tokenIn(email.raw, 'inv_')).toBe(invite.body.token);
  });
});
