import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Atrium } from '../../server/src/app.ts';
import { type MockUpstream, startMockUpstream } from '../../server/src/modules/gateway/testing/mock-upstream.ts';
import { eventually } from '../../server/src/testing/client.ts';
import { createTestAtrium } from '../../server/src/testing/harness.ts';
import {
  browserAvailable,
  DESKTOP,
  expectAccessible,
  expectNoSidewaysScroll,
  launchBrowser,
  newEmail,
  openFromNav,
  openPage,
  openSectionTab,
  PHONE,
  signUpThroughForm,
} from './browser.ts';

let atrium: Atrium;
let mock: MockUpstream;
let browser: Browser;
let base: string;

const password = 'gateway test password';
const newPage = (viewport = DESKTOP) => openPage(browser, base, viewport);
const signUp = (page: Page, email: string, organization = 'Gateway Labs') =>
  signUpThroughForm(page, { name: 'Ada Lovelace', email, password, organization });

/** Connects the mock upstream as an OpenAI-compatible provider through the Providers page. */
async function connectMock(page: Page, name: string) {
  await page.getByRole('button', { name: 'Connect provider' }).click();
  const dialog = page.getByRole('dialog', { name: 'Connect provider' });
  await dialog.getByLabel('Name').fill(name);
  await dialog.getByLabel('Type').selectOption('openai-compatible');
  await dialog.getByLabel('Base URL').fill(`${mock.url}/v1`);
  await dialog.getByLabel('API key').fill('sk-mock-upstream-1234');
  await dialog.getByRole('button', { name: 'Connect provider' }).click();
  await expect.poll(() => dialog.count()).toBe(0);
  await expect.poll(() => page.getByRole('cell').getByText(name, { exact: true }).count()).toBe(1);
}

/** Opens a tab of the AI gateway through its sub-navigation. */
const openTab = (page: Page, label: string, path: string) => openSectionTab(page, 'AI gateway sections', label, path);

describe.runIf(browserAvailable())('console: AI gateway', () => {
  beforeAll(async () => {
    mock = await startMockUpstream();
    atrium = await createTestAtrium({ serveConsole: true, env: { ATRIUM_ALLOW_PRIVATE_NETWORKS: 'true' } });
    await atrium.http.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(atrium.http.server.address() as AddressInfo).port}`;
    browser = await launchBrowser();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await atrium?.close();
    await mock?.close();
  });

  it('connects a provider, streams a playground answer, and shows the call in request logs and usage', async () => {
    const { context, page } = await newPage();
    await signUp(page, newEmail());

    await openFromNav(page, 'AI gateway', '/gateway/providers');
    await expect.poll(() => page.getByRole('heading', { name: 'No providers connected' }).count()).toBe(1);
    await expectAccessible(page, '/gateway/providers (empty)');

    await page.getByRole('button', { name: 'Connect provider' }).click();
    const dialog = page.getByRole('dialog', { name: 'Connect provider' });
    await dialog.getByLabel('Type').selectOption('openai-compatible');
    expect(await dialog.getByLabel('Base URL').getAttribute('placeholder')).toBe('http://localhost:11434/v1');
    await expectAccessible(page, '/gateway/providers (connect dialog)');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await connectMock(page, 'mock');
    expect(await page.getByRole('cell').getByText('1234', { exact: false }).count()).toBe(1);

    await page.getByRole('button', { name: 'Test connection for mock' }).click();
    const outcome = page.getByRole('status').filter({ hasText: 'mock is reachable' });
    await expect.poll(() => outcome.count()).toBe(1);
    expect(await outcome.textContent()).toMatch(/3 models: mock-small, mock-large, text-embedding-mock/);
    await expectAccessible(page, '/gateway/providers (tested)');

    // The playground lists the provider's models, streams the answer and says who answered.
    await openFromNav(page, 'Playground', '/playground');
    const model = page.getByLabel('Model', { exact: true });
    await expect.poll(() => model.locator('option').count()).toBeGreaterThan(0);
    await model.selectOption('mock/mock-small');
    await expectAccessible(page, '/playground (empty)');
    const message = page.getByLabel('Message', { exact: true });
    await message.fill('hello there');
    await message.press('Enter');
    const answer = page.getByTestId('assistant-message');
    await expect.poll(() => answer.textContent()).toBe('Hello from mock-small. You said: hello there');
    await expect.poll(() => page.getByText('Answered by').count()).toBe(1);
    const meta = (await page.getByText('Answered by').locator('..').textContent()) ?? '';
    expect(meta).toContain('mock');
    expect(meta).toContain('mock-small');
    // 2 prompt words and 7 answer words, as the mock counts them.
    expect(meta).toMatch(/9 tokens \(2 in, 7 out\)/);
    expect(await message.inputValue()).toBe('');
    const streamed = mock.calls.find((call) => call.path === '/v1/chat/completions');
    expect(streamed?.body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
    await expectAccessible(page, '/playground (answered)');

    // Shift+Enter starts a new line instead of sending; the model choice is remembered.
    await message.fill('line one');
    await message.press('Shift+Enter');
    expect(await message.inputValue()).toBe('line one\n');
    await page.reload();
    await expect.poll(() => page.getByLabel('Model', { exact: true }).inputValue()).toBe('mock/mock-small');

    // The call is in the request log, with its details.
    await page.goto('/gateway/providers');
    await openTab(page, 'Request logs', '/gateway/request-logs');
    await expect.poll(() => page.getByRole('cell').getByText('mock/mock-small', { exact: true }).count()).toBe(1);
    expect(await page.getByRole('cell', { name: '200 OK' }).count()).toBe(1);
    await expectAccessible(page, '/gateway/request-logs');
    await page.getByRole('button', { name: /^Details of the request to mock\/mock-small/ }).click();
    const details = page.getByRole('dialog', { name: 'Request to mock/mock-small' });
    await expect.poll(() => details.getByText('No bodies kept').count()).toBe(1);
    expect(await details.getByText('2 in · 7 out').count()).toBe(1);
    await expectAccessible(page, '/gateway/request-logs (details)');
    await details.getByRole('button', { name: 'Close', exact: true }).click();

    // And in usage: by day by default, and by model.
    await openTab(page, 'Usage', '/gateway/usage');
    await expect.poll(() => page.getByRole('table', { name: 'Usage by day' }).getByRole('row').count()).toBe(2);
    await expectAccessible(page, '/gateway/usage');
    await page.getByLabel('Group by').selectOption('model');
    const byModel = page.getByRole('table', { name: 'Usage by model' });
    await expect.poll(() => byModel.getByRole('cell', { name: 'mock-small', exact: true }).count()).toBe(1);
    expect(
      await page
        .getByRole('figure', { name: /Cost by model/ })
        .getByText('mock-small')
        .count(),
    ).toBe(1);
    const csv = await page.getByRole('link', { name: 'Download CSV' }).getAttribute('href');
    expect(csv).toMatch(/^\/api\/v1\/gateway\/usage\?group_by=model&from=.+&to=.+&format=csv$/);
    const exported = await page.evaluate(async (href) => (await fetch(href, { credentials: 'include' })).text(), csv ?? '');
    expect(exported.split('\n')[0]).toBe(
      'model,requests,errors,cache_hits,input_tokens,output_tokens,cached_tokens,cost_micros,cost,avg_latency_ms',
    );
    expect(exported).toContain('mock-small,1,0,0,2,7,');
    await context.close();
  });

  it('routes an alias, stops a streaming answer and shows an upstream error', async () => {
    const { context, page } = await newPage();
    await signUp(page, newEmail(), 'Route Works');
    await page.goto('/gateway/providers');
    await connectMock(page, 'local');

    await openTab(page, 'Routes', '/gateway/routes');
    await expect.poll(() => page.getByRole('heading', { name: 'No routes yet' }).count()).toBe(1);
    await page.getByRole('button', { name: 'New route' }).click();
    const dialog = page.getByRole('dialog', { name: 'New route' });
    await dialog.getByLabel('Alias').fill('slow');
    await dialog.getByLabel('Model', { exact: true }).fill('drip-400-first');
    await dialog.getByRole('button', { name: 'Add target' }).click();
    await dialog.getByLabel('Model', { exact: true }).nth(1).fill('mock-small');
    // Reorder with the row buttons: the second target moves to the top, and back down again.
    await dialog.getByRole('button', { name: 'Move up target 2' }).click();
    expect(await dialog.getByLabel('Model', { exact: true }).first().inputValue()).toBe('mock-small');
    await dialog.getByRole('button', { name: 'Move down target 1' }).click();
    expect(await dialog.getByLabel('Model', { exact: true }).first().inputValue()).toBe('drip-400-first');
    await dialog.getByRole('button', { name: 'Remove target 2' }).click();
    await expect.poll(() => dialog.getByLabel('Model', { exact: true }).count()).toBe(1);
    await dialog.getByLabel('Load balance').check();
    await expect.poll(() => dialog.getByLabel('Weight').count()).toBe(1);
    await expectAccessible(page, '/gateway/routes (route dialog)');
    await dialog.getByRole('button', { name: 'Create route' }).click();
    await expect.poll(() => page.getByRole('cell', { name: 'slow', exact: true }).count()).toBe(1);
    expect(await page.getByRole('cell').getByText('local/drip-400-first').count()).toBe(1);
    expect(await page.getByRole('cell', { name: 'Load balance' }).count()).toBe(1);
    await expectAccessible(page, '/gateway/routes');

    // A second route to a failing model, to see the error the gateway passes on.
    await page.getByRole('button', { name: 'New route' }).click();
    await dialog.getByLabel('Alias').fill('broken');
    await dialog.getByLabel('Model', { exact: true }).fill('fail-400');
    await dialog.getByRole('button', { name: 'Create route' }).click();
    await expect.poll(() => page.getByRole('cell', { name: 'broken', exact: true }).count()).toBe(1);

    await page.goto('/playground');
    const model = page.getByLabel('Model', { exact: true });
    await expect.poll(() => model.locator('option', { hasText: 'slow' }).count()).toBe(1);
    await model.selectOption('slow');
    const message = page.getByLabel('Message', { exact: true });
    await message.fill('take your time');
    await page.getByRole('button', { name: 'Send' }).click();
    // The first word arrives; Stop ends the stream and keeps what was written.
    await expect.poll(() => page.getByTestId('assistant-message').count()).toBe(1);
    await page.getByRole('button', { name: 'Stop' }).click();
    await expect.poll(() => page.getByText('Stopped', { exact: true }).count()).toBe(1);
    expect(await page.getByTestId('assistant-message').textContent()).not.toContain('You said: take your time');
    await expect.poll(() => page.getByRole('button', { name: 'Send' }).count()).toBe(1);

    await model.selectOption('broken');
    await message.fill('this will fail');
    await message.press('Enter');
    const alert = page.getByRole('alert').filter({ hasText: 'Scripted failure 400' });
    await expect.poll(() => alert.count()).toBe(1);
    // The failed message is given back to send again.
    expect(await message.inputValue()).toBe('this will fail');
    await expectAccessible(page, '/playground (error)');

    await page.getByRole('button', { name: 'Clear conversation' }).click();
    await expect.poll(() => page.getByText('No messages yet').count()).toBe(1);
    await context.close();
  });

  it('edits the organization, workspace and API key limits', async () => {
    const { context, page } = await newPage();
    await signUp(page, newEmail(), 'Budget Co');
    const key = await page.evaluate(async () => {
      const workspaces = await (await fetch('/api/v1/workspaces', { credentials: 'include' })).json();
      const response = await fetch('/api/v1/api-keys', {
        method: 'POST',
        credentials: 'include',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'Batch job', workspace_id: workspaces.data[0].id }),
      });
      return (await response.json()) as { id: string };
    });

    await page.goto('/gateway/limits');
    await page.getByRole('heading', { name: 'Limits & budget', level: 2 }).waitFor();
    await page.getByLabel('Requests per minute').fill('120');
    await page.getByLabel('Budget (USD)').fill('12.5');
    await page.getByLabel('Budget period').selectOption('day');
    await page.getByLabel('Keep request bodies').check();
    await expectAccessible(page, '/gateway/limits');
    await page.getByRole('button', { name: 'Save limits' }).click();
    await expect.poll(() => page.getByText('Saved the limits of the organization.').count()).toBe(1);
    const organization = await page.evaluate(async () => (await fetch('/api/v1/gateway/policy', { credentials: 'include' })).json());
    expect(organization).toMatchObject({
      requests_per_minute: 120,
      budget_micros: 12_500_000,
      budget_period: 'day',
      log_bodies: true,
      tokens_per_minute: null,
    });

    await page.getByLabel('An API key').check();
    await expect.poll(() => page.getByLabel('API key', { exact: true }).count()).toBe(1);
    await page.getByLabel('Allowed models').fill('local/*, openai/gpt-4o-mini');
    await page.getByRole('button', { name: 'Save limits' }).click();
    await expect.poll(() => page.getByText('Saved the limits of API key Batch job.').count()).toBe(1);
    const keyPolicy = await page.evaluate(
      async (id) => (await fetch(`/api/v1/gateway/keys/${id}/policy`, { credentials: 'include' })).json(),
      key.id,
    );
    expect(keyPolicy.allowed_models).toEqual(['local/*', 'openai/gpt-4o-mini']);

    await page.getByLabel('A workspace').check();
    await page.getByLabel('Tokens per minute').fill('-5');
    await page.getByRole('button', { name: 'Save limits' }).click();
    await expect.poll(() => page.getByText(/Enter a whole number of tokens/).count()).toBe(1);
    await context.close();
  });

  it('lists model prices and sets an organization price that takes effect at once', async () => {
    const { context, page } = await newPage();
    await signUp(page, newEmail(), 'Price Works');
    await page.goto('/gateway/providers');
    await openTab(page, 'Prices', '/gateway/prices');

    // The platform's seeded price, in currency units per 1M tokens.
    const row = (model: string) =>
      page
        .getByRole('list', { name: 'Model prices' })
        .getByRole('listitem')
        .filter({ has: page.getByRole('heading', { name: model, exact: true }) });
    const mini = row('gpt-4o-mini');
    await expect.poll(() => mini.getByTestId('price-in-effect').textContent()).toContain('$0.15 / $0.60 per 1M tokens (cached $0.075)');
    expect(await mini.getByText('Organization', { exact: true }).count()).toBe(0);
    await expectAccessible(page, '/gateway/prices');

    // The filter asks the server for one model's versions.
    await page.getByRole('form', { name: 'Filter prices' }).getByLabel('Model').fill('gpt-4o-mini');
    await page.getByRole('button', { name: 'Apply filter' }).click();
    await expect.poll(() => page.getByRole('heading', { level: 3 }).count()).toBe(1);
    expect(await mini.count()).toBe(1);

    await page.getByRole('button', { name: 'Set price', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Set price' });
    await expect.poll(() => dialog.getByText('earlier calls keep the cost they were charged').count()).toBe(1);
    await dialog.getByLabel('Provider').selectOption('openai');
    await dialog.getByLabel('Model').fill('gpt-4o-mini');
    await dialog.getByLabel('Input', { exact: true }).fill('0.1234567');
    await dialog.getByLabel('Output', { exact: true }).fill('0.8');
    await dialog.getByRole('button', { name: 'Set price' }).click();
    await expect.poll(() => dialog.getByText(/at most 6 decimals/).count()).toBe(1);
    expect(await dialog.getByLabel('Input', { exact: true }).getAttribute('aria-invalid')).toBe('true');
    await expectAccessible(page, '/gateway/prices (set price dialog)');
    await dialog.getByLabel('Input', { exact: true }).fill('0.2');
    await dialog.getByLabel(/^Cached input/).fill('0.1');
    await dialog.getByRole('button', { name: 'Set price' }).click();
    await expect.poll(() => dialog.count()).toBe(0);

    // The organization's price is the one in effect; the platform's is kept as an overridden version.
    await expect.poll(() => mini.getByTestId('price-in-effect').textContent()).toContain('$0.20 / $0.80 per 1M tokens (cached $0.10)');
    expect(await mini.getByTestId('price-in-effect').getByText('Organization', { exact: true }).count()).toBe(1);
    await mini.getByRole('button', { name: '1 other version of gpt-4o-mini' }).click();
    const older = mini.getByRole('listitem').filter({ hasText: 'Overridden' });
    await expect.poll(() => older.count()).toBe(1);
    expect(await older.textContent()).toContain('$0.15 / $0.60 per 1M tokens (cached $0.075)');
    await expectAccessible(page, '/gateway/prices (organization price)');
    const stored = await page.evaluate(async () => (await fetch('/api/v1/prices?model=gpt-4o-mini', { credentials: 'include' })).json());
    expect(stored.data.find((price: { scope: string }) => price.scope === 'organization')).toMatchObject({
      provider: 'openai',
      input_per_m: 200_000,
      output_per_m: 800_000,
      cached_input_per_m: 100_000,
    });

    // The whole list on a phone: nothing scrolls sideways.
    await page.setViewportSize(PHONE);
    await page.getByRole('button', { name: 'Clear', exact: true }).click();
    await expect.poll(() => page.getByRole('heading', { level: 3 }).count()).toBeGreaterThan(1);
    await expectAccessible(page, '/gateway/prices on a phone');
    await expectNoSidewaysScroll(page, '/gateway/prices on a phone');
    await context.close();
  });

  it('fits a 390 px phone, with no serious accessibility violations on the new pages', async () => {
    const { context, page } = await newPage(PHONE);
    await signUp(page, newEmail(), 'Pocket AI');
    const bottomNav = page.getByRole('navigation', { name: 'Main' }).last();
    await expect.poll(() => bottomNav.getByRole('link', { name: 'AI gateway' }).isVisible()).toBe(true);

    await page.goto('/gateway/providers');
    await connectMock(page, 'pocket');
    await page.goto('/playground');
    const message = page.getByLabel('Message', { exact: true });
    await expect.poll(() => page.getByLabel('Model', { exact: true }).locator('option').count()).toBeGreaterThan(0);
    await page.getByLabel('Model', { exact: true }).selectOption('pocket/mock-small');
    await message.fill('hi from a phone');
    await message.press('Enter');
    await expect.poll(() => page.getByTestId('assistant-message').textContent()).toBe('Hello from mock-small. You said: hi from a phone');

    for (const path of [
      '/playground',
      '/gateway/providers',
      '/gateway/routes',
      '/gateway/usage',
      '/gateway/request-logs',
      '/gateway/limits',
    ]) {
      if (path !== '/playground') {
        await page.goto(path);
        await expect.poll(() => page.getByRole('heading', { level: 1 }).count()).toBe(1);
      }
      if (path === '/gateway/request-logs') {
        await eventually(async () => (await page.getByRole('cell').getByText('pocket/mock-small').count()) > 0);
      }
      if (path === '/gateway/usage') await page.getByRole('table', { name: 'Usage by day' }).waitFor();
      await expectAccessible(page, `${path} on a phone`);
      await expectNoSidewaysScroll(page, `${path} on a phone`);
    }
    await context.close();
  });
});
