import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Atrium } from '../../server/src/app.ts';
import { eventually } from '../../server/src/testing/client.ts';
import { createTestAtrium } from '../../server/src/testing/harness.ts';
import { startSmtpServer, tokenIn } from '../../server/src/testing/smtp.ts';
import {
  browserAvailable,
  DESKTOP,
  expectAccessible,
  launchBrowser,
  newEmail,
  openFromNav,
  openPage,
  signUpThroughForm,
} from './browser.ts';

let atrium: Atrium;
let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
let browser: Browser;
let base: string;

const password = 'console test password';

const newPage = (viewport = DESKTOP) => openPage(browser, base, viewport);
const signUp = (page: Page, email: string, organization = 'Acme Robotics') =>
  signUpThroughForm(page, { name: 'Grace Hopper', email, password, organization });

describe.runIf(browserAvailable())('console', () => {
  beforeAll(async () => {
    smtp = await startSmtpServer();
    atrium = await createTestAtrium({ serveConsole: true, env: { SMTP_URL: smtp.url } });
    await atrium.http.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(atrium.http.server.address() as AddressInfo).port}`;
    browser = await launchBrowser();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await atrium?.close();
    await smtp?.close();
  });

  it('signs up, signs out and signs in, with accessible auth pages', async () => {
    const { context, page } = await newPage();
    await page.goto('/login');
    await expectAccessible(page, '/login');
    await page.goto('/signup');
    await expectAccessible(page, '/signup');

    const email = newEmail();
    await signUp(page, email);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).count()).toBe(1);
    await expectAccessible(page, '/ (overview)');

    await page.getByRole('button', { name: 'Account menu' }).click();
    await page
      .getByRole('menuitem', { name: 'Sign out' })
      .or(page.getByRole('button', { name: 'Sign out' }))
      .first()
      .click();
    await page.waitForURL((url) => url.pathname === '/login');

    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill('wrong password here');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByText(/incorrect/i).count()).toBeGreaterThan(0);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((url) => url.pathname === '/');
    await context.close();
  });

  it('creates workspaces and API keys with a copy-once secret, rotates and revokes them', async () => {
    const { context, page } = await newPage();
    await signUp(page, newEmail());

    await page.goto('/workspaces');
    await page.getByRole('button', { name: 'New workspace' }).click();
    await page.getByRole('dialog').getByLabel('Name').fill('Research');
    await page.getByRole('button', { name: 'Create workspace' }).click();
    await expect.poll(() => page.getByRole('cell', { name: 'Research' }).count()).toBeGreaterThan(0);
    await expectAccessible(page, '/workspaces');

    await page.goto('/api-keys');
    await expectAccessible(page, '/api-keys (empty)');
    await page
      .getByRole('button', { name: /create (api )?key/i })
      .first()
      .click();
    await page.getByRole('dialog').getByLabel('Name').fill('Deploy bot');
    await page.getByRole('button', { name: 'Create key' }).click();
    const secret = (await page.getByTestId('api-key-secret').textContent())?.trim() ?? '';
    expect(secret).toMatch(/^atr_live_[A-Za-z0-9]{40}$/);
    await expectAccessible(page, '/api-keys (secret dialog)');
    await page.getByRole('button', { name: 'Done' }).click();
    await expect.poll(() => page.getByText(`…${secret.slice(-4)}`).count()).toBeGreaterThan(0);

    // The secret the console showed is a working key.
    const me = await fetch(`${base}/api/v1/me`, { headers: { authorization: `Bearer ${secret}` } });
    expect(me.status).toBe(200);

    await page.getByRole('button', { name: 'Rotate' }).first().click();
    await page.getByRole('button', { name: 'Rotate key' }).click();
    const rotated = (await page.getByTestId('api-key-secret').textContent())?.trim() ?? '';
    expect(rotated).toMatch(/^atr_live_/);
    expect(rotated).not.toBe(secret);
    await page.getByRole('button', { name: 'Done' }).click();

    const revokeButtons = page.getByRole('button', { name: 'Revoke' });
    await revokeButtons.first().click();
    await page.getByRole('button', { name: 'Revoke key' }).click();
    await eventually(async () => {
      const responses = await Promise.all(
        [secret, rotated].map((key) => fetch(`${base}/api/v1/me`, { headers: { authorization: `Bearer ${key}` } })),
      );
      return responses.some((response) => response.status === 401);
    });
    await context.close();
  });

  it('invites a member who accepts through the emailed link', async () => {
    const owner = await newPage();
    await signUp(owner.page, newEmail(), 'Invite Co');
    await owner.page.goto('/members');
    await expectAccessible(owner.page, '/members');
    const inviteeEmail = newEmail();
    await owner.page.getByRole('button', { name: 'Invite member' }).click();
    await owner.page.getByRole('dialog').getByLabel('Email').fill(inviteeEmail);
    await owner.page.getByRole('dialog').getByLabel('Role').selectOption('developer');
    await owner.page.getByRole('button', { name: 'Send invitation' }).click();
    const link = (await owner.page.getByTestId('invite-link').textContent())?.trim() ?? '';
    expect(link).toContain('/invitations/accept?token=inv_');

    const email = await eventually(async () => smtp.received.find((message) => message.to.includes(inviteeEmail)));
    const token = tokenIn(email.raw, 'inv_');
    expect(link).toContain(token);

    const invitee = await newPage();
    await signUp(invitee.page, inviteeEmail, 'Invitee Own Org');
    await invitee.page.goto(`/invitations/accept?token=${token}`);
    await expectAccessible(invitee.page, '/invitations/accept');
    await invitee.page.getByRole('button', { name: 'Accept invitation' }).click();
    await eventually(async () => {
      const members = await owner.page.evaluate(async () => (await fetch('/api/v1/members', { credentials: 'include' })).json());
      return members.data.some(
        (member: { user: { email: string }; role: string }) => member.user.email === inviteeEmail && member.role === 'developer',
      );
    });
    await owner.context.close();
    await invitee.context.close();
  });

  it('resets a forgotten password from the emailed link', async () => {
    const setup = await newPage();
    const email = newEmail();
    await signUp(setup.page, email);
    await setup.context.close();

    const { context, page } = await newPage();
    await page.goto('/forgot-password');
    await expectAccessible(page, '/forgot-password');
    await page.getByLabel('Email').fill(email);
    await page.getByRole('button', { name: 'Send reset link' }).click();
    const message = await eventually(async () => smtp.received.find((entry) => entry.to.includes(email)));
    const token = tokenIn(message.raw, 'prt_');
    await page.goto(`/reset-password?token=${token}`);
    await expectAccessible(page, '/reset-password');
    await page.getByLabel('New password').fill('a fresh new password');
    await page.getByRole('button', { name: 'Reset password' }).click();
    await page.waitForURL((url) => url.pathname === '/login');
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill('a fresh new password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((url) => url.pathname === '/');
    await context.close();
  });

  it('changes the password from the profile page', async () => {
    const { context, page } = await newPage();
    const email = newEmail();
    await signUp(page, email);
    await page.goto('/profile');
    await expectAccessible(page, '/profile');
    await page.getByLabel('Current password').fill(password);
    await page.getByLabel('New password').fill('another good password');
    await page.getByRole('button', { name: 'Change password' }).click();
    await expect
      .poll(() =>
        page
          .getByRole('status')
          .filter({ hasText: /password/i })
          .count(),
      )
      .toBeGreaterThan(0);
    const login = await fetch(`${base}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: 'another good password' }),
    });
    expect(login.status).toBe(200);
    await context.close();
  });

  it('adapts the shell: bottom navigation on phones, a drawer on tablets', async () => {
    const phone = await newPage({ width: 390, height: 844 });
    await signUp(phone.page, newEmail());
    const bottomNav = phone.page.getByRole('navigation', { name: /primary|main/i });
    await expect.poll(() => bottomNav.last().isVisible()).toBe(true);
    await expectAccessible(phone.page, '/ on a phone');
    await phone.context.close();

    const tablet = await newPage({ width: 800, height: 1000 });
    await signUp(tablet.page, newEmail());
    await tablet.page
      .getByRole('button', { name: /menu|navigation/i })
      .first()
      .click();
    await expect.poll(() => tablet.page.getByRole('dialog').count()).toBeGreaterThan(0);
    await tablet.page.keyboard.press('Escape');
    await expect.poll(() => tablet.page.getByRole('dialog').count()).toBe(0);
    await tablet.context.close();
  });

  it('renames the organization in settings and refuses to let the last owner leave', async () => {
    const { context, page } = await newPage();
    await signUp(page, newEmail());
    await page.goto('/settings');
    await expect.poll(() => page.getByLabel('Organization name').count()).toBe(1);
    await expectAccessible(page, '/settings');

    await page.getByLabel('Organization name').fill('Renamed Robotics');
    await page.getByRole('button', { name: 'Save organization' }).click();
    await expect.poll(() => page.getByRole('banner').getByText('Renamed Robotics').count()).toBeGreaterThan(0);

    await page.getByRole('button', { name: 'Leave organization' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Leave', exact: true }).click();
    await expect.poll(() => page.getByRole('alert').or(page.getByRole('status')).filter({ hasText: /owner/i }).count()).toBeGreaterThan(0);
    await context.close();
  });

  it('shows the audit log with filters and details, verifies the chain and links the exports', async () => {
    const { context, page } = await newPage();
    await signUp(page, newEmail());
    const key = await page.evaluate(async () => {
      const workspaces = await (await fetch('/api/v1/workspaces', { credentials: 'include' })).json();
      const response = await fetch('/api/v1/api-keys', {
        method: 'POST',
        credentials: 'include',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'Audit bot', workspace_id: workspaces.data[0].id }),
      });
      return (await response.json()) as { id: string };
    });
    expect(key.id).toBeTruthy();

    await openFromNav(page, 'Audit log', '/audit-log');
    // Entries arrive from the outbox within moments: reload until the key's creation is there.
    await eventually(async () => {
      if ((await page.getByRole('cell', { name: 'api_key.created' }).count()) > 0) return true;
      await page.reload();
      await page.getByRole('heading', { name: 'Audit log', level: 1 }).waitFor();
      return false;
    });
    await expectAccessible(page, '/audit-log');

    await page
      .getByRole('button', { name: /^Details of entry/ })
      .first()
      .click();
    await expect.poll(() => page.getByRole('dialog').getByText('Request ID').count()).toBe(1);
    await expectAccessible(page, '/audit-log (entry details)');
    await page.getByRole('dialog').getByRole('button', { name: 'Close', exact: true }).click();

    await page.getByLabel('Action').fill('api_key.*');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await expect.poll(() => page.getByRole('cell', { name: 'workspace.created' }).count()).toBe(0);
    // While the filtered page loads the table may be empty: wait for the filtered rows themselves.
    await expect.poll(() => page.getByRole('cell', { name: 'api_key.created' }).count()).toBe(1);
    const exportHref = await page.getByRole('link', { name: 'Export CSV' }).getAttribute('href');
    expect(exportHref).toBe('/api/v1/audit-logs/export?action=api_key.*&format=csv');
    const exported = await page.evaluate(async (href) => (await fetch(href, { credentials: 'include' })).text(), exportHref ?? '');
    expect(exported.split('\r\n')[0]).toMatch(/^seq,id,created_at,action,/);
    expect(exported).toContain(key.id);

    await page.getByRole('button', { name: 'Verify chain' }).click();
    await expect
      .poll(() =>
        page
          .getByRole('status')
          .filter({ hasText: /intact/i })
          .count(),
      )
      .toBe(1);
    await context.close();
  });

  it('adds a webhook endpoint with a copy-once secret, sends a test event and lists its deliveries', async () => {
    const { context, page } = await newPage();
    await signUp(page, newEmail());
    await openFromNav(page, 'Webhooks', '/webhooks');
    await expect.poll(() => page.getByRole('heading', { name: 'No endpoints yet' }).count()).toBe(1);
    await expectAccessible(page, '/webhooks');

    await page.getByRole('button', { name: 'Add endpoint' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Endpoint URL').fill('http://127.0.0.1:9/hook');
    await dialog.getByLabel('workspace.*').check();
    await dialog.getByRole('button', { name: 'Add endpoint' }).click();
    const secret = (await page.getByTestId('webhook-secret').textContent())?.trim() ?? '';
    expect(secret).toMatch(/^whsec_/);
    await page.getByRole('button', { name: 'Done' }).click();
    await expect.poll(() => page.getByRole('cell', { name: 'http://127.0.0.1:9/hook', exact: true }).count()).toBe(1);
    expect(await page.getByRole('cell').getByText('workspace.*', { exact: true }).count()).toBe(1);

    await page.getByRole('button', { name: /^Send test event/ }).click();
    await expect.poll(() => page.getByText(/Test event sent/).count()).toBeGreaterThan(0);
    await page.getByRole('button', { name: /^Deliveries/ }).click();
    const deliveries = page.getByRole('dialog', { name: 'Deliveries' });
    // The worker delivers within moments; port 9 refuses, so the row records the connection error.
    await eventually(async () => {
      if ((await deliveries.getByRole('cell', { name: 'webhook.test' }).count()) > 0) return true;
      await deliveries.getByRole('button', { name: 'Refresh' }).click();
      await page.waitForTimeout(250);
      return false;
    });
    expect(await deliveries.getByRole('button', { name: /^Replay/ }).count()).toBeGreaterThan(0);
    await expectAccessible(page, '/webhooks (deliveries)');
    await deliveries.getByRole('button', { name: 'Close', exact: true }).click();

    await page.getByRole('button', { name: /^Edit/ }).click();
    const edit = page.getByRole('dialog', { name: 'Edit endpoint' });
    await edit.getByLabel('Rate limit').fill('5');
    await edit.getByRole('button', { name: 'Add condition' }).click();
    await edit.getByLabel('Field').fill('role');
    await edit.getByLabel('Value').fill('owner');
    await expectAccessible(page, '/webhooks (edit endpoint)');
    await edit.getByRole('button', { name: 'Save endpoint' }).click();
    await expect.poll(() => page.getByText('At most 5 deliveries per second').count()).toBe(1);
    expect(await page.getByRole('cell').getByText('role = owner').count()).toBe(1);
    await context.close();
  });
});
