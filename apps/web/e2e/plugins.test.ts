import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Atrium } from '../../server/src/app.ts';
import { startFixtureMcpServer } from '../../server/src/modules/plugins/mcp/testing/fixture-server.ts';
import { bundle, trustedKeysEnv } from '../../server/src/modules/plugins/testing/fixtures.ts';
import { createTestAtrium } from '../../server/src/testing/harness.ts';
import {
  browserAvailable,
  DESKTOP,
  expectAccessible,
  expectNoSidewaysScroll,
  expectPagesFitPhone,
  launchBrowser,
  newEmail,
  openFromNav,
  openPage,
  openSectionTab,
  PHONE,
  signUpThroughForm,
} from './browser.ts';

let atrium: Atrium;
let browser: Browser;
let base: string;
let files: string;
let remote: Awaited<ReturnType<typeof startFixtureMcpServer>>;
const MCP_TOKEN = 'fixture-s3cret';

const password = 'plugins test password';
const newPage = (viewport = DESKTOP) => openPage(browser, base, viewport);
const signUp = (page: Page, email: string, organization = 'Plugin Labs') =>
  signUpThroughForm(page, { name: 'Ada Lovelace', email, password, organization });

/** Writes a bundle where the file input can pick it up. */
function bundleFile(name: string, document: unknown): string {
  const path = join(files, `${name}.atrium-plugin.json`);
  writeFileSync(path, JSON.stringify(document));
  return path;
}

/** Opens a tab of Plugins through its sub-navigation. */
const openTab = (page: Page, label: string, path: string) => openSectionTab(page, 'Plugins sections', label, path);

/** Calls the API with the page's session. */
function api(page: Page, method: string, path: string, body?: unknown) {
  return page.evaluate(
    async ({ method, path, body }) => {
      const response = await fetch(path, {
        method,
        credentials: 'include',
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: response.status, body: await response.json().catch(() => null) };
    },
    { method, path, body },
  );
}

/** Installs the notes fixture and consents, through the API, for tests about other things. */
async function installNotes(page: Page): Promise<string> {
  const installed = await api(page, 'POST', '/api/v1/plugins', { bundle: bundle() });
  expect(installed.status).toBe(201);
  const consent = await api(page, 'POST', `/api/v1/plugins/${installed.body.id}/consent`, { permissions: installed.body.consent_required });
  expect(consent.status).toBe(200);
  return installed.body.id;
}

describe.runIf(browserAvailable())('console: plugins', () => {
  beforeAll(async () => {
    files = mkdtempSync(join(tmpdir(), 'atrium-plugins-e2e-'));
    remote = await startFixtureMcpServer({ token: MCP_TOKEN });
    atrium = await createTestAtrium({
      serveConsole: true,
      env: { ATRIUM_PLUGIN_TRUSTED_KEYS: trustedKeysEnv, ATRIUM_ALLOW_PRIVATE_NETWORKS: 'true' },
    });
    await atrium.http.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(atrium.http.server.address() as AddressInfo).port}`;
    browser = await launchBrowser();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await atrium?.close();
    await remote?.close();
    if (files) rmSync(files, { recursive: true, force: true });
  });

  it('installs a signed plugin from a file after consent in plain words, configures, updates and uninstalls it', async () => {
    const { context, page } = await newPage();
    await signUp(page, newEmail());

    await openFromNav(page, 'Plugins', '/plugins/installed');
    await expect.poll(() => page.getByRole('heading', { name: 'No plugins installed' }).count()).toBe(1);
    await expectAccessible(page, '/plugins/installed (empty)');

    // An unsigned bundle is refused, and the error names the field.
    await page.getByRole('button', { name: 'Install from file' }).click();
    const install = page.getByRole('dialog', { name: 'Install plugin' });
    const fileInput = install.getByLabel('Plugin bundle');
    await fileInput.setInputFiles(bundleFile('unsigned', bundle({}, undefined, { sign: false })));
    await expect.poll(() => install.textContent()).toContain('Notes 1.0.0, unsigned.');
    await install.getByRole('button', { name: 'Install' }).click();
    await expect.poll(() => install.getByText(/The bundle is not signed\..*bundle\.signature/).count()).toBe(1);
    expect(await fileInput.getAttribute('aria-invalid')).toBe('true');
    await expectAccessible(page, '/plugins/installed (install dialog, refused)');

    // The signed one installs and asks for consent in plain words.
    await fileInput.setInputFiles(bundleFile('notes', bundle()));
    await expect.poll(() => install.textContent()).toContain('Notes 1.0.0, signed by acme-test.');
    await install.getByRole('button', { name: 'Install' }).click();
    const consent = page.getByRole('dialog', { name: 'Grant permissions to Notes' });
    await expect.poll(() => consent.count()).toBe(1);
    const asked = consent.getByRole('list', { name: 'Permissions Notes asks for' });
    expect(await asked.getByRole('listitem').allTextContents()).toEqual(['Store and change its own datadata:write']);
    expect(await consent.textContent()).toContain('Signed by acme-test');
    await expectAccessible(page, '/plugins/installed (consent dialog)');
    await consent.getByRole('button', { name: 'Grant' }).click();
    await expect.poll(() => consent.count()).toBe(0);
    await expect.poll(() => page.getByText('Notes 1.0.0 is installed and enabled.').count()).toBe(1);
    const table = page.getByRole('table', { name: 'Installed plugins' });
    const row = table.getByRole('row').filter({ hasText: 'Notes' });
    await expect.poll(() => row.getByText('Enabled', { exact: true }).count()).toBe(1);
    expect(await row.textContent()).toContain('Signed by acme-test');
    await expectAccessible(page, '/plugins/installed');

    // Settings come from the manifest; the secret one is write-only.
    await row.getByRole('link', { name: 'Notes', exact: true }).click();
    await page.waitForURL((url) => url.pathname === '/plugins/plugin');
    await page.getByRole('heading', { name: 'Notes', level: 2 }).waitFor();
    const settings = page.getByRole('form', { name: 'Settings of Notes' });
    await settings.getByLabel(/^Greeting/).fill('Hello from the console');
    await settings.getByLabel(/^API token/).fill('tok-1234567890');
    await settings.getByLabel(/^Mode/).selectOption('careful');
    await expectAccessible(page, '/plugins/plugin');
    await settings.getByRole('button', { name: 'Save settings' }).click();
    await expect.poll(() => page.getByText('Saved the settings of Notes.').count()).toBe(1);
    expect(await settings.getByLabel(/^API token/).inputValue()).toBe('');
    expect(await settings.getByText(/^Set\. Stored encrypted/).count()).toBe(1);
    const id = new URL(page.url()).searchParams.get('id');
    const stored = await api(page, 'GET', `/api/v1/plugins/${id}`);
    expect(stored.body).toMatchObject({ settings: { greeting: 'Hello from the console', mode: 'careful' }, secrets_set: ['token'] });
    expect(JSON.stringify(stored.body)).not.toContain('tok-1234567890');

    // An update that asks for more waits for consent to the new permission.
    await page.getByRole('button', { name: 'Update from file' }).click();
    const update = page.getByRole('dialog', { name: 'Update Notes' });
    await update
      .getByLabel('Plugin bundle')
      .setInputFiles(bundleFile('notes-1.1.0', bundle({ version: '1.1.0', permissions: ['data:write', 'network:api.slack.com'] })));
    await update.getByRole('button', { name: 'Update' }).click();
    const reconsent = page.getByRole('dialog', { name: 'Grant permissions to Notes' });
    await expect.poll(() => reconsent.count()).toBe(1);
    const slack = reconsent.getByRole('listitem').filter({ hasText: 'Connect to api.slack.com' });
    expect(await slack.getByText('New', { exact: true }).count()).toBe(1);
    await expectAccessible(page, '/plugins/plugin (update consent)');
    await reconsent.getByRole('button', { name: 'Grant' }).click();
    await expect.poll(() => page.getByText(/Granted\. Notes 1\.1\.0 is enabled\./).count()).toBe(1);

    // Disable, then uninstall after typing the plugin id.
    await page.getByRole('button', { name: 'Disable', exact: true }).click();
    await expect.poll(() => page.getByText('Disabled', { exact: true }).count()).toBeGreaterThan(0);
    await page.getByRole('button', { name: 'Uninstall' }).click();
    const uninstall = page.getByRole('dialog', { name: 'Uninstall Notes?' });
    await uninstall.getByLabel(/to confirm$/).fill('note');
    await uninstall.getByRole('button', { name: 'Uninstall' }).click();
    await expect.poll(() => uninstall.getByText('Type notes to confirm.').count()).toBe(1);
    await expectAccessible(page, '/plugins/plugin (uninstall dialog)');
    await uninstall.getByLabel(/to confirm$/).fill('notes');
    await uninstall.getByRole('button', { name: 'Uninstall' }).click();
    await page.waitForURL((url) => url.pathname === '/plugins/installed');
    await expect.poll(() => page.getByRole('heading', { name: 'No plugins installed' }).count()).toBe(1);
    await context.close();
  });

  it('calls capabilities, approves the call that needs approval and shows each call in the plugin’s execution log', async () => {
    const { context, page } = await newPage();
    await signUp(page, newEmail(), 'Capability Co');
    const id = await installNotes(page);
    expect((await api(page, 'PATCH', `/api/v1/plugins/${id}`, { settings: { greeting: 'Hello from the console' } })).status).toBe(200);
    await page.goto('/plugins/installed');
    await page.getByRole('table', { name: 'Installed plugins' }).waitFor();

    // Capabilities: a wrong input names its field, a right one shows the output.
    await openTab(page, 'Capabilities', '/plugins/capabilities');
    const capabilities = page.getByRole('table', { name: /^Capabilities in / });
    await expect.poll(() => capabilities.getByText('notes.delete_all', { exact: true }).count()).toBe(1);
    expect(await capabilities.getByRole('row').filter({ hasText: 'notes.delete_all' }).getByText('Requires approval').count()).toBe(1);
    await expectAccessible(page, '/plugins/capabilities');

    await page.getByRole('button', { name: 'Try it with notes.add' }).click();
    const tryAdd = page.getByRole('dialog', { name: 'Try notes.add' });
    const input = tryAdd.getByLabel('Input (JSON)');
    expect(JSON.parse(await input.inputValue())).toEqual({ id: '', text: '' });
    await input.fill('{"id": "1"}');
    await tryAdd.getByRole('button', { name: 'Invoke' }).click();
    await expect.poll(() => input.getAttribute('aria-invalid')).toBe('true');
    expect(await tryAdd.getByText(/input\.text/).count()).toBeGreaterThan(0);
    await input.fill('{"id": "1", "text": "buy milk"}');
    await tryAdd.getByRole('button', { name: 'Invoke' }).click();
    const result = tryAdd.getByRole('region', { name: 'Result' });
    await expect.poll(() => result.getByText('Succeeded', { exact: true }).count()).toBe(1);
    expect(await result.textContent()).toContain('"ok": true');
    await expectAccessible(page, '/plugins/capabilities (try dialog)');
    await tryAdd.getByRole('button', { name: 'Close', exact: true }).click();

    await page.getByRole('button', { name: 'Try it with notes.whoami' }).click();
    const whoami = page.getByRole('dialog', { name: 'Try notes.whoami' });
    await whoami.getByRole('button', { name: 'Invoke' }).click();
    await expect.poll(() => whoami.getByRole('region', { name: 'Result' }).textContent()).toContain('"greeting": "Hello from the console"');
    await whoami.getByRole('button', { name: 'Close', exact: true }).click();

    // delete_all waits for an approver.
    await page.getByRole('button', { name: 'Try it with notes.delete_all' }).click();
    const deleteAll = page.getByRole('dialog', { name: 'Try notes.delete_all' });
    await deleteAll.getByRole('button', { name: 'Invoke' }).click();
    await expect.poll(() => deleteAll.getByText('Waiting for approval').count()).toBe(1);
    await deleteAll.getByRole('link', { name: 'Approvals' }).click();
    await page.waitForURL((url) => url.pathname === '/plugins/approvals');
    const queue = page.getByRole('table', { name: 'Calls waiting for approval, newest first' });
    await expect.poll(() => queue.getByText('notes.delete_all', { exact: true }).count()).toBe(1);
    await expectAccessible(page, '/plugins/approvals');
    await page.getByRole('button', { name: 'Approve the call to notes.delete_all' }).click();
    const approve = page.getByRole('dialog', { name: 'Approve notes.delete_all?' });
    await expectAccessible(page, '/plugins/approvals (approve dialog)');
    await approve.getByRole('button', { name: 'Approve and run' }).click();
    await expect.poll(() => page.getByText('Approved notes.delete_all: it ran and succeeded.').count()).toBe(1);
    await expect.poll(() => page.getByRole('heading', { name: 'Nothing waiting for approval' }).count()).toBe(1);

    // The execution log has every call, each with its input and output.
    await page.goto(`/plugins/plugin?id=${id}`);
    const log = page.getByRole('table', { name: 'Executions of Notes, newest first' });
    await expect.poll(() => log.getByRole('row').count()).toBe(4);
    const added = log.getByRole('row').filter({ hasText: 'notes.add' });
    expect(await added.getByText('Succeeded').count()).toBe(1);
    await added.getByRole('button', { name: /^Details of notes\.add/ }).click();
    await expect.poll(() => log.getByText('"text": "buy milk"').count()).toBe(1);
    expect(await log.getByRole('heading', { name: 'Output' }).count()).toBe(1);
    await expectAccessible(page, '/plugins/plugin (execution details)');
    await context.close();
  });

  it('turns developer mode on for unsigned bundles, and connects an MCP server whose tools become capabilities', async () => {
    const { context, page } = await newPage();
    await signUp(page, newEmail(), 'Dev Mode Co');
    await page.goto('/plugins/installed');
    const developerMode = page.getByLabel('Developer mode');
    await developerMode.check();
    await expect.poll(() => page.getByText('Developer mode is on: unsigned plugins can be installed.').count()).toBe(1);
    expect((await api(page, 'GET', '/api/v1/plugin-settings')).body).toMatchObject({
      developer_mode: true,
      trusted_publishers: ['acme-test'],
    });

    await page.getByRole('button', { name: 'Install from file' }).click();
    const install = page.getByRole('dialog', { name: 'Install plugin' });
    await install.getByLabel('Plugin bundle').setInputFiles(bundleFile('unsigned-dev', bundle({}, undefined, { sign: false })));
    await install.getByRole('button', { name: 'Install' }).click();
    const consent = page.getByRole('dialog', { name: 'Grant permissions to Notes' });
    await expect.poll(() => consent.getByText('Unsigned', { exact: true }).count()).toBe(1);
    await consent.getByRole('button', { name: 'Cancel' }).click();
    const row = page.getByRole('table', { name: 'Installed plugins' }).getByRole('row').filter({ hasText: 'Notes' });
    await expect.poll(() => row.getByText('Waiting for consent').count()).toBe(1);
    expect(await row.getByText('Unsigned', { exact: true }).count()).toBe(1);
    await expectAccessible(page, '/plugins/installed (waiting for consent)');

    await openTab(page, 'MCP servers', '/plugins/mcp-servers');
    await expect.poll(() => page.getByRole('heading', { name: 'No MCP servers connected' }).count()).toBe(1);
    await expectAccessible(page, '/plugins/mcp-servers (empty)');
    await page.getByRole('button', { name: 'Connect server' }).click();
    const connect = page.getByRole('dialog', { name: 'Connect MCP server' });
    await connect.getByLabel('URL').fill('not a url');
    await connect.getByRole('button', { name: 'Connect server' }).click();
    await expect.poll(() => connect.getByText('Enter a name for the server.').count()).toBe(1);
    expect(await connect.getByLabel('URL').getAttribute('aria-invalid')).toBe('true');
    await expectAccessible(page, '/plugins/mcp-servers (connect dialog)');
    await connect.getByLabel('Name').fill('Fixture Tools');
    await connect.getByLabel('URL').fill(remote.url);
    await connect.getByLabel(/^Authorization header/).fill(`Bearer ${MCP_TOKEN}`);
    await connect.getByRole('button', { name: 'Connect server' }).click();
    await expect.poll(() => connect.count()).toBe(0);
    const server = page.getByRole('article', { name: /Fixture Tools/ });
    const tools = server.getByRole('list', { name: 'Tools of Fixture Tools' });
    await expect.poll(() => tools.getByRole('listitem').count()).toBe(3);
    expect(await tools.getByText('mcp.fixture_tools.add', { exact: true }).count()).toBe(1);
    expect(await server.textContent()).toContain('Sends Authorization');
    expect(await server.textContent()).not.toContain(MCP_TOKEN);
    await expectAccessible(page, '/plugins/mcp-servers');
    await server.getByRole('button', { name: 'Refresh tools of Fixture Tools' }).click();
    await expect.poll(() => page.getByText('Fixture Tools offers 3 tools.').count()).toBe(1);

    // Its tools are capabilities of the workspace, callable from the Try it form.
    await openTab(page, 'Capabilities', '/plugins/capabilities');
    await page.getByRole('button', { name: 'Try it with mcp.fixture_tools.add' }).click();
    const tryAdd = page.getByRole('dialog', { name: 'Try mcp.fixture_tools.add' });
    await tryAdd.getByLabel('Input (JSON)').fill('{"a": 2, "b": 3}');
    await tryAdd.getByRole('button', { name: 'Invoke' }).click();
    await expect.poll(() => tryAdd.getByRole('region', { name: 'Result' }).textContent()).toContain('"sum": 5');
    await tryAdd.getByRole('button', { name: 'Close', exact: true }).click();

    await openTab(page, 'MCP servers', '/plugins/mcp-servers');
    await server.getByRole('button', { name: 'Disable Fixture Tools' }).click();
    await expect.poll(() => server.getByText('Disabled', { exact: true }).count()).toBe(1);
    await server.getByRole('button', { name: 'Remove Fixture Tools' }).click();
    await page.getByRole('dialog', { name: 'Remove MCP server?' }).getByRole('button', { name: 'Remove server' }).click();
    await expect.poll(() => page.getByRole('heading', { name: 'No MCP servers connected' }).count()).toBe(1);
    await context.close();
  });

  it('installs a first-party plugin from the available plugins, calls it, and updates it to the version the server ships', async () => {
    const { context, page } = await newPage();
    await signUp(page, newEmail(), 'Catalogue Co');
    await page.goto('/plugins/installed');
    const available = page.getByRole('region', { name: 'Available plugins' });
    const expenses = available.getByRole('article', { name: 'Expenses' });
    await expect.poll(() => expenses.count()).toBe(1);
    expect(await available.getByRole('article').count()).toBeGreaterThanOrEqual(6);
    expect(await expenses.getByRole('list', { name: 'Capabilities of Expenses' }).textContent()).toContain('expenses.categorise');
    const permissions = expenses.getByRole('list', { name: 'Permissions of Expenses' });
    expect(await permissions.getByRole('listitem').allTextContents()).toEqual([
      'Store and change its own datadata:write',
      'Publish eventsevents:emit',
    ]);
    await expectAccessible(page, '/plugins/installed (available plugins)');

    // Install asks for consent in plain words, as a file would, and names the plugin first-party.
    await expenses.getByRole('button', { name: 'Install Expenses' }).click();
    const consent = page.getByRole('dialog', { name: 'Grant permissions to Expenses' });
    await expect.poll(() => consent.count()).toBe(1);
    expect(await consent.getByRole('listitem').count()).toBe(2);
    expect(await consent.textContent()).toContain('First-party');
    await consent.getByRole('button', { name: 'Grant' }).click();
    await expect.poll(() => page.getByText('Expenses 0.1.0 is installed and enabled.').count()).toBe(1);
    const row = page.getByRole('table', { name: 'Installed plugins' }).getByRole('row').filter({ hasText: 'Expenses' });
    await expect.poll(() => row.getByText('Enabled', { exact: true }).count()).toBe(1);
    expect(await row.getByText('First-party', { exact: true }).count()).toBe(1);
    await expect.poll(() => expenses.getByText('Installed', { exact: true }).count()).toBe(1);
    expect(await expenses.getByRole('button', { name: 'Install Expenses' }).count()).toBe(0);
    expect(await expenses.getByRole('button', { name: /^Update to/ }).count()).toBe(0);
    await expectAccessible(page, '/plugins/installed (first-party plugin installed)');

    // Its capabilities are the workspace's at once.
    await openTab(page, 'Capabilities', '/plugins/capabilities');
    await page.getByRole('button', { name: 'Try it with expenses.categorise' }).click();
    const categorise = page.getByRole('dialog', { name: 'Try expenses.categorise' });
    await categorise.getByLabel('Input (JSON)').fill('{"merchant":"Uber"}');
    await categorise.getByRole('button', { name: 'Invoke' }).click();
    const result = categorise.getByRole('region', { name: 'Result' });
    await expect.poll(() => result.getByText('Succeeded', { exact: true }).count()).toBe(1);
    expect(await result.textContent()).toContain('"category": "transport"');
    await categorise.getByRole('button', { name: 'Close', exact: true }).click();

    // Another version of the plugin (here a publisher's 0.0.1 asking for less) is offered the
    // catalogue's version; the permission that adds waits for consent, marked new.
    const id = (await api(page, 'GET', '/api/v1/plugins')).body.data.find(
      (entry: { plugin_id: string }) => entry.plugin_id === 'expenses',
    ).id;
    const older = bundle({ id: 'expenses', name: 'Expenses', version: '0.0.1', permissions: ['data:write'] });
    expect((await api(page, 'POST', `/api/v1/plugins/${id}/update`, { bundle: older })).status).toBe(200);
    await openTab(page, 'Installed', '/plugins/installed');
    await expect.poll(() => expenses.textContent()).toContain('0.0.1 installed');
    await expenses.getByRole('button', { name: 'Update to 0.1.0 of Expenses' }).click();
    const reconsent = page.getByRole('dialog', { name: 'Grant permissions to Expenses' });
    await expect.poll(() => reconsent.count()).toBe(1);
    const added = reconsent.getByRole('listitem').filter({ hasText: 'Publish events' });
    expect(await added.getByText('New', { exact: true }).count()).toBe(1);
    await reconsent.getByRole('button', { name: 'Grant' }).click();
    await expect.poll(() => reconsent.count()).toBe(0);
    await expect.poll(() => row.getByText('First-party', { exact: true }).count()).toBe(1);
    expect(await expenses.textContent()).not.toContain('installed)');
    expect(await expenses.getByRole('button', { name: /^Update to/ }).count()).toBe(0);

    // The same view on a phone.
    await page.setViewportSize(PHONE);
    await page.reload();
    await expect.poll(() => expenses.getByText('Installed', { exact: true }).count()).toBe(1);
    await expectAccessible(page, '/plugins/installed (available plugins) on a phone');
    await expectNoSidewaysScroll(page, '/plugins/installed (available plugins) on a phone');
    await context.close();
  });

  it('shows a reload button, not a blank page, when the plugin pages fail to download', async () => {
    const { context, page } = await newPage();
    await signUp(page, newEmail(), 'Offline Co');
    await page.route('**/assets/plugin-pages-*.js', (route) => route.abort('internetdisconnected'));
    await page.getByRole('navigation').first().getByRole('link', { name: 'Plugins' }).click();
    const failed = page.getByRole('alert').filter({ hasText: 'This page could not load' });
    await expect.poll(() => failed.count()).toBe(1);
    await expectAccessible(page, '/plugins (chunk failed to load)');

    await page.unroute('**/assets/plugin-pages-*.js');
    await failed.getByRole('button', { name: 'Reload page' }).click();
    await page.getByRole('heading', { name: 'Installed', level: 2 }).waitFor();
    await context.close();
  });

  it('offers a member only what the role allows', async () => {
    const owner = await newPage();
    await signUp(owner.page, newEmail(), 'Roles Co');
    await installNotes(owner.page);
    const memberEmail = newEmail();
    const invitation = await api(owner.page, 'POST', '/api/v1/invitations', { email: memberEmail, role: 'member' });
    expect(invitation.status).toBe(201);

    const member = await newPage();
    await signUp(member.page, memberEmail, 'Member Own Org');
    await member.page.goto(`/invitations/accept?token=${invitation.body.token}`);
    await member.page.getByRole('button', { name: 'Accept invitation' }).click();
    await member.page.waitForURL((url) => url.pathname === '/');
    const page = member.page;

    await page.goto('/plugins/installed');
    const row = page.getByRole('table', { name: 'Installed plugins' }).getByRole('row').filter({ hasText: 'Notes' });
    await expect.poll(() => row.count()).toBe(1);
    expect(await page.getByRole('button', { name: 'Install from file' }).count()).toBe(0);
    expect(await page.getByLabel('Developer mode').count()).toBe(0);
    await row.getByRole('link', { name: 'Notes', exact: true }).click();
    await page.getByRole('form', { name: 'Settings of Notes' }).waitFor();
    expect(await page.getByRole('button', { name: 'Save settings' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Uninstall' }).count()).toBe(0);

    // A member may call capabilities, but not approve them.
    await openTab(page, 'Capabilities', '/plugins/capabilities');
    await expect.poll(() => page.getByRole('button', { name: 'Try it with notes.delete_all' }).count()).toBe(1);
    await page.getByRole('button', { name: 'Try it with notes.delete_all' }).click();
    const dialog = page.getByRole('dialog', { name: 'Try notes.delete_all' });
    await dialog.getByRole('button', { name: 'Invoke' }).click();
    await expect.poll(() => dialog.getByText('Waiting for approval').count()).toBe(1);
    await dialog.getByRole('button', { name: 'Close', exact: true }).click();
    await openTab(page, 'Approvals', '/plugins/approvals');
    await expect.poll(() => page.getByText('notes.delete_all', { exact: true }).count()).toBe(1);
    expect(await page.getByRole('button', { name: /^Approve/ }).count()).toBe(0);
    await expectAccessible(page, '/plugins/approvals (member)');
    await owner.context.close();
    await member.context.close();
  });

  it('fits a 390 px phone, with no serious accessibility violations on any plugins page', async () => {
    const { context, page } = await newPage(PHONE);
    await signUp(page, newEmail(), 'Pocket Plugins');
    const bottomNav = page.getByRole('navigation', { name: 'Main' }).last();
    await expect.poll(() => bottomNav.getByRole('link', { name: 'Plugins' }).count()).toBe(1);
    const id = await installNotes(page);
    expect((await api(page, 'POST', '/api/v1/capabilities/notes.delete_all/invoke', { input: {} })).status).toBe(202);

    await expectPagesFitPhone(page, 'Plugins', [
      ['/plugins/installed', () => page.getByRole('table', { name: 'Installed plugins' }).waitFor()],
      [`/plugins/plugin?id=${id}`, () => page.getByRole('form', { name: 'Settings of Notes' }).waitFor()],
      ['/plugins/capabilities', () => page.getByRole('table', { name: /^Capabilities in / }).waitFor()],
      ['/plugins/approvals', () => page.getByRole('table', { name: 'Calls waiting for approval, newest first' }).waitFor()],
      ['/plugins/mcp-servers', () => page.getByRole('heading', { name: 'No MCP servers connected' }).waitFor()],
    ]);

    await page.goto('/plugins/capabilities');
    await page.getByRole('button', { name: 'Try it with notes.list' }).click();
    const dialog = page.getByRole('dialog', { name: 'Try notes.list' });
    await dialog.getByRole('button', { name: 'Invoke' }).click();
    await expect.poll(() => dialog.getByText('Succeeded', { exact: true }).count()).toBe(1);
    await expectAccessible(page, '/plugins/capabilities (try dialog) on a phone');
    await context.close();
  });
});
