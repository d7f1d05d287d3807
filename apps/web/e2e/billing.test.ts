import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Atrium } from '../../server/src/app.ts';
import { createTestAtrium } from '../../server/src/testing/harness.ts';
import {
  browserAvailable,
  DESKTOP,
  expectAccessible,
  expectNoSidewaysScroll,
  expectPagesFitPhone,
  launchBrowser,
  newEmail,
  openPage,
  openSectionTab,
  PHONE,
  signUpThroughForm,
} from './browser.ts';

let atrium: Atrium;
let browser: Browser;
let base: string;

const password = 'billing test password';
const operatorEmail = `operator-${randomBytes(4).toString('hex')}@example.com`;
const newPage = (viewport = DESKTOP) => openPage(browser, base, viewport);
const signUp = (page: Page, email: string, organization = 'Billing Labs') =>
  signUpThroughForm(page, { name: 'Ada Lovelace', email, password, organization });

/** Opens a tab of Billing through its sub-navigation. */
const openTab = (page: Page, label: string, path: string) => openSectionTab(page, 'Billing sections', label, path);

/** A plan's card in the plans grid, named by its heading. */
const planCard = (page: Page, name: string) => page.getByRole('list', { name: 'Plans' }).getByRole('listitem', { name, exact: true });

describe.runIf(browserAvailable())('console: billing', () => {
  beforeAll(async () => {
    atrium = await createTestAtrium({ serveConsole: true, env: { ATRIUM_OPERATOR_EMAILS: operatorEmail } });
    await atrium.http.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(atrium.http.server.address() as AddressInfo).port}`;
    browser = await launchBrowser();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await atrium?.close();
  });

  it('shows the Spark trial, switches to Solo through the dialog and lists its invoice with a PDF', async () => {
    const { context, page } = await newPage();
    await signUp(page, newEmail());
    const nav = page.getByRole('navigation').first();
    expect(await nav.getByRole('link', { name: 'Operator' }).count()).toBe(0);

    await nav.getByRole('link', { name: 'Billing' }).click();
    await page.waitForURL((url) => url.pathname === '/billing/plan');
    const subscription = page.getByTestId('subscription');
    await expect.poll(() => subscription.textContent()).toContain('Spark');
    expect(await subscription.getByText('Trial', { exact: true }).count()).toBe(1);
    expect(await subscription.textContent()).toMatch(/\d+ days left in your trial/);

    // The four plans, with prices, quotas and the current one marked.
    const plans = page.getByRole('list', { name: 'Plans' });
    await expect.poll(() => plans.getByRole('heading', { level: 4 }).allTextContents()).toEqual(['Spark', 'Solo', 'Team', 'Enterprise']);
    expect(await planCard(page, 'Spark').getByRole('button', { name: 'Current plan' }).isDisabled()).toBe(true);
    const solo = planCard(page, 'Solo');
    expect(await solo.textContent()).toContain('$29/ month');
    expect(await solo.textContent()).toContain('5M tokens, then $2.00 per 1M tokens');
    expect(await solo.textContent()).toContain('10 GB storage');
    expect(await planCard(page, 'Enterprise').textContent()).toContain('Custom');
    await page.getByLabel('Yearly').check();
    await expect.poll(() => solo.textContent()).toContain('$290/ year');
    expect(await solo.textContent()).toContain('billed yearly (save 17%)');
    await page.getByLabel('Monthly').check();
    await expectAccessible(page, '/billing/plan');

    // Team is sold per seat: the dialog asks how many, within the plan's range.
    await planCard(page, 'Team').getByRole('button', { name: 'Choose Team' }).click();
    const teamDialog = page.getByRole('dialog', { name: 'Switch to Team' });
    const seats = teamDialog.getByLabel('Seats');
    expect(await seats.inputValue()).toBe('2');
    expect(await seats.getAttribute('min')).toBe('2');
    expect(await seats.getAttribute('max')).toBe('7');
    await seats.fill('9');
    await teamDialog.getByRole('button', { name: 'Switch to Team' }).click();
    await expect.poll(() => teamDialog.getByText('Enter a number of seats from 2 to 7.').count()).toBe(1);
    expect(await seats.getAttribute('aria-invalid')).toBe('true');
    await seats.fill('3');
    await expect.poll(() => teamDialog.textContent()).toContain('$118.00 per month for 3 seats');
    await expectAccessible(page, '/billing/plan (team dialog)');
    await teamDialog.getByRole('button', { name: 'Cancel' }).click();
    await expect.poll(() => teamDialog.count()).toBe(0);

    // Solo has one seat: no seats field; confirming switches at once and issues an invoice.
    await solo.getByRole('button', { name: 'Choose Solo' }).click();
    const dialog = page.getByRole('dialog', { name: 'Switch to Solo' });
    expect(await dialog.getByLabel('Seats').count()).toBe(0);
    await expect.poll(() => dialog.textContent()).toContain('$29.00 per month');
    await expectAccessible(page, '/billing/plan (change dialog)');
    await dialog.getByRole('button', { name: 'Switch to Solo' }).click();
    await expect.poll(() => dialog.count()).toBe(0);
    await expect.poll(() => page.getByText(/^Switched to Solo\. Invoice ATR-\d+ for \$[\d.,]+ was issued\.$/).count()).toBe(1);
    await expect.poll(() => subscription.textContent()).toContain('Solo');
    expect(await subscription.getByText('Active', { exact: true }).count()).toBe(1);
    await expect.poll(() => solo.getByRole('button', { name: 'Current plan' }).count()).toBe(1);
    // The trial is not offered again.
    expect(await planCard(page, 'Spark').getByRole('button').count()).toBe(0);
    const stored = await page.evaluate(async () => (await fetch('/api/v1/subscription', { credentials: 'include' })).json());
    expect(stored).toMatchObject({ plan: { slug: 'solo' }, status: 'active', restricted: false });
    await expectAccessible(page, '/billing/plan (solo)');

    // The invoice is listed with its PDF.
    await openTab(page, 'Invoices', '/billing/invoices');
    const invoices = page.getByRole('table', { name: 'Invoices' });
    await expect.poll(() => invoices.getByRole('row').count()).toBe(2);
    const row = invoices.getByRole('row').nth(1);
    expect(await row.textContent()).toMatch(/ATR-\d+/);
    expect(await row.getByText('Open', { exact: true }).count()).toBe(1);
    const pdf = row.getByRole('link', { name: /^PDF of invoice ATR-\d+$/ });
    const href = (await pdf.getAttribute('href')) ?? '';
    expect(href).toMatch(/^\/api\/v1\/invoices\/[^/]+\/pdf$/);
    expect(await pdf.getAttribute('download')).not.toBeNull();
    const downloaded = await page.evaluate(async (url) => {
      const response = await fetch(url, { credentials: 'include' });
      const bytes = new Uint8Array(await response.arrayBuffer());
      return { status: response.status, type: response.headers.get('content-type'), start: String.fromCharCode(...bytes.slice(0, 5)) };
    }, href);
    expect(downloaded).toMatchObject({ status: 200, type: expect.stringMatching(/^application\/pdf/), start: '%PDF-' });
    const upcoming = page.getByRole('table', { name: 'Upcoming invoice' });
    await upcoming.waitFor();
    expect(await upcoming.getByRole('rowheader', { name: 'Total', exact: true }).count()).toBe(1);
    await expectAccessible(page, '/billing/invoices');

    // Usage: quota bars for the plan's metrics, and a day-by-day chart of a metric the organization records itself.
    const recorded = await page.evaluate(async () => {
      const response = await fetch('/api/v1/usage/events', {
        method: 'POST',
        credentials: 'include',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ metric: 'documents', quantity: 12, idempotency_key: 'e2e-documents-1' }),
      });
      return response.status;
    });
    expect(recorded).toBe(201);
    await openTab(page, 'Usage', '/billing/usage');
    const quotas = page.getByRole('list', { name: 'Quotas' });
    await expect.poll(() => quotas.getByRole('listitem').count()).toBeGreaterThan(1);
    const tokens = quotas.getByRole('listitem').filter({ has: page.getByText('Tokens', { exact: true }) });
    expect(await tokens.textContent()).toMatch(/0 tokens of 5,000,000 tokens/);
    expect(await tokens.getByText(/Soft limit/).count()).toBe(1);
    await expect.poll(() => page.getByRole('heading', { name: 'No tokens used yet this period' }).count()).toBe(1);
    await expectAccessible(page, '/billing/usage');
    await page.getByLabel('Metric').selectOption('documents');
    const chart = page.getByRole('figure', { name: /Documents per day/ });
    await expect.poll(() => chart.count()).toBe(1);
    expect(await chart.textContent()).toContain('12 units');
    expect(
      await page
        .getByRole('table', { name: 'Usage by metric this period' })
        .getByRole('cell', { name: /Documents/ })
        .count(),
    ).toBe(1);
    await expectAccessible(page, '/billing/usage (chart)');

    // Credits and billing details.
    await openTab(page, 'Credits', '/billing/credits');
    await expect.poll(() => page.getByTestId('credit-balance').textContent()).toBe('$0.00');
    expect(await page.getByRole('heading', { name: 'No credits' }).count()).toBe(1);
    await expectAccessible(page, '/billing/credits');

    await openTab(page, 'Billing details', '/billing/details');
    const form = page.getByRole('form', { name: 'Billing details' });
    await form.getByLabel(/^Legal name/).fill('Analytical Engines Ltd');
    await form.getByLabel(/^Billing email/).fill('not an email');
    await form.getByRole('button', { name: 'Save billing details' }).click();
    await expect.poll(() => form.getByText('Enter an email address, such as billing@example.com.').count()).toBe(1);
    await expectAccessible(page, '/billing/details (invalid)');
    await form.getByLabel(/^Billing email/).fill('accounts@example.com');
    await form.getByLabel(/^Tax ID/).fill('GB123456789');
    await form.getByRole('button', { name: 'Save billing details' }).click();
    await expect.poll(() => page.getByText('Saved your billing details.', { exact: false }).count()).toBe(1);
    expect(await page.getByTestId('tax-rate').textContent()).toBe('0%');
    const profile = await page.evaluate(async () => (await fetch('/api/v1/billing/profile', { credentials: 'include' })).json());
    expect(profile).toMatchObject({
      legal_name: 'Analytical Engines Ltd',
      email: 'accounts@example.com',
      tax_id: 'GB123456789',
      address: null,
    });
    await expectAccessible(page, '/billing/details');
    await context.close();
  });

  it('cancels a paid plan at the end of the period, and a trial at once', async () => {
    const { context, page } = await newPage();
    await signUp(page, newEmail(), 'Cancel Co');
    await page.goto('/billing/plan');
    const subscription = page.getByTestId('subscription');
    await expect.poll(() => subscription.textContent()).toContain('Spark');

    // A trial ends at once: there is no choice of when.
    await subscription.getByRole('button', { name: 'Cancel subscription' }).click();
    const trialDialog = page.getByRole('dialog', { name: 'Cancel subscription' });
    await expect.poll(() => page.evaluate(() => document.activeElement?.textContent)).toBe('Keep subscription');
    expect(await trialDialog.getByRole('radio').count()).toBe(0);
    expect(await trialDialog.getByRole('button', { name: 'End trial now' }).count()).toBe(1);
    await expectAccessible(page, '/billing/plan (cancel trial dialog)');
    await trialDialog.getByRole('button', { name: 'Keep subscription' }).click();
    await expect.poll(() => trialDialog.count()).toBe(0);

    // On a paid plan it ends with the period by default.
    const changed = await page.evaluate(async () => {
      const response = await fetch('/api/v1/subscription/change', {
        method: 'POST',
        credentials: 'include',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ plan: 'solo' }),
      });
      return response.status;
    });
    expect(changed).toBe(200);
    await page.reload();
    await expect.poll(() => subscription.textContent()).toContain('Solo');
    await subscription.getByRole('button', { name: 'Cancel subscription' }).click();
    const dialog = page.getByRole('dialog', { name: 'Cancel subscription' });
    expect(await dialog.getByLabel('At the end of the period').isChecked()).toBe(true);
    await expectAccessible(page, '/billing/plan (cancel dialog)');
    await dialog.getByRole('button', { name: 'Cancel subscription' }).click();
    await expect.poll(() => dialog.count()).toBe(0);
    await expect.poll(() => subscription.getByText(/will not renew/).count()).toBe(1);
    expect(await subscription.getByText('Ends on', { exact: true }).count()).toBe(1);
    expect(await subscription.getByRole('button', { name: 'Cancel subscription' }).count()).toBe(0);
    const stored = await page.evaluate(async () => (await fetch('/api/v1/subscription', { credentials: 'include' })).json());
    expect(stored).toMatchObject({ plan: { slug: 'solo' }, status: 'active', cancel_at_period_end: true, restricted: false });
    await context.close();
  });

  it('fits a 390 px phone, with no serious accessibility violations on any billing tab', async () => {
    const { context, page } = await newPage(PHONE);
    await signUp(page, newEmail(), 'Pocket Billing');
    const bottomNav = page.getByRole('navigation', { name: 'Main' }).last();
    await expect.poll(() => bottomNav.getByRole('link', { name: 'Billing' }).isVisible()).toBe(true);

    await expectPagesFitPhone(page, 'Billing', [
      ['/billing/plan', () => page.getByRole('list', { name: 'Plans' }).getByRole('heading', { level: 4 }).first().waitFor()],
      ['/billing/usage', () => page.getByRole('list', { name: 'Quotas' }).waitFor()],
      ['/billing/invoices', () => page.getByRole('table', { name: 'Upcoming invoice' }).waitFor()],
      ['/billing/credits', () => page.getByTestId('credit-balance').waitFor()],
      ['/billing/details', () => page.getByRole('form', { name: 'Billing details' }).waitFor()],
    ]);

    await page.goto('/billing/plan');
    await planCard(page, 'Solo').getByRole('button', { name: 'Choose Solo' }).click();
    await page.getByRole('dialog', { name: 'Switch to Solo' }).waitFor();
    await expectAccessible(page, '/billing/plan (change dialog) on a phone');
    await context.close();
  });

  it('lets a platform operator edit a plan as a new version and see revenue', async () => {
    const { context, page } = await newPage();
    await signUp(page, operatorEmail, 'Platform Ops');
    const nav = page.getByRole('navigation').first();
    await nav.getByRole('link', { name: 'Operator' }).click();
    await page.waitForURL((url) => url.pathname === '/admin/plans');
    const table = page.getByRole('table', { name: 'Plans' });
    await expect.poll(() => table.getByRole('row').count()).toBe(5);
    await expectAccessible(page, '/admin/plans');

    await table.getByRole('button', { name: 'Edit Enterprise' }).click();
    const dialog = page.getByRole('dialog', { name: 'Edit Enterprise' });
    const before = await page.evaluate(async () => (await fetch('/api/v1/admin/plans', { credentials: 'include' })).json());
    const version = before.data.find((plan: { slug: string }) => plan.slug === 'enterprise').version as number;
    await dialog.getByLabel('Quotas (JSON)').fill('{"tokens": {"included": -1, "overage": null}}');
    await dialog.getByRole('button', { name: `Publish version ${version + 1}` }).click();
    await expect.poll(() => dialog.getByText(/"tokens".included must be a whole number/).count()).toBe(1);
    await expectAccessible(page, '/admin/plans (edit dialog)');
    await dialog
      .getByLabel('Quotas (JSON)')
      .fill(JSON.stringify(before.data.find((plan: { slug: string }) => plan.slug === 'enterprise').quotas));
    await dialog.getByLabel(/^Description/).fill('Custom terms, no caps, pay for what you use (edited in e2e).');
    await dialog.getByRole('button', { name: `Publish version ${version + 1}` }).click();
    await expect.poll(() => dialog.count()).toBe(0);
    await expect.poll(() => page.getByText(`Published version ${version + 1} of Enterprise.`, { exact: false }).count()).toBe(1);
    const enterprise = table.getByRole('row').filter({ hasText: 'enterprise' });
    await expect.poll(() => enterprise.getByRole('cell').nth(1).textContent()).toBe(String(version + 1));

    await page.getByRole('navigation', { name: 'Operator sections' }).getByRole('link', { name: 'Revenue' }).click();
    await page.waitForURL((url) => url.pathname === '/admin/revenue');
    await expect.poll(() => page.getByText('Monthly recurring revenue', { exact: true }).count()).toBe(1);
    for (const description of ['Annual run rate', 'Per paying subscription, monthly', 'Trials that became paid']) {
      expect(await page.getByText(description, { exact: true }).count()).toBe(1);
    }
    expect(await page.getByText(/canceled in the last 30 days$/).count()).toBe(1);
    // Every organization signed up in this file has a subscription, so plans are listed by name.
    const byPlan = page.getByRole('table', { name: 'Revenue by plan' });
    await expect.poll(() => byPlan.getByRole('row').count()).toBeGreaterThan(1);
    expect(await byPlan.getByRole('cell', { name: 'Spark', exact: true }).count()).toBe(1);
    await expectAccessible(page, '/admin/revenue');

    await page.setViewportSize(PHONE);
    await page.goto('/admin/plans');
    await table.waitFor();
    await expectAccessible(page, '/admin/plans on a phone');
    await expectNoSidewaysScroll(page, '/admin/plans on a phone');
    await context.close();
  });
});
