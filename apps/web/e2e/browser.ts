import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import AxeBuilder from '@axe-core/playwright';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { loadTestTargets } from '../../server/src/config.ts';

export const CHROMIUM = '/usr/bin/chromium';

/**
 * Whether the browser tests can run here. CI always runs them (and installs Chromium first); a
 * developer machine without Chromium runs the rest of the suite and says what it left out.
 */
export function browserAvailable(): boolean {
  if (existsSync(CHROMIUM) || loadTestTargets().ci) return true;
  console.warn(`Browser tests not run: no Chromium at ${CHROMIUM} (Debian/Ubuntu: apt-get install chromium).`);
  return false;
}

/** Debian's Chromium, headless, with the background networking a closed machine refuses turned off. */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Browser tests need Chromium at ${CHROMIUM} (Debian/Ubuntu: apt-get install chromium).`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
}

/** Fails on any serious or critical axe violation, listing what and where. */
export async function expectAccessible(page: Page, label: string) {
  const results = await new AxeBuilder({ page }).analyze();
  const severe = results.violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map(
      (violation) =>
        `${violation.id} (${violation.impact}): ${violation.nodes
          .map((node) => node.target.join(' '))
          .slice(0, 3)
          .join(' | ')}`,
    );
  expect(severe, `axe violations on ${label}`).toEqual([]);
}

/** The page itself never scrolls sideways (wide tables scroll inside their own container). */
export async function expectNoSidewaysScroll(page: Page, label: string) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow, `horizontal overflow on ${label}`).toBeLessThanOrEqual(0);
}

/**
 * On a page with a phone's viewport: visits each path, waits for the section's `h1` and the
 * page's content, and checks it for accessibility and sideways scrolling.
 */
export async function expectPagesFitPhone(page: Page, heading: string, pages: [path: string, loaded: () => Promise<unknown>][]) {
  for (const [path, loaded] of pages) {
    await page.goto(path);
    await expect.poll(() => page.getByRole('heading', { level: 1, name: heading }).count()).toBe(1);
    await loaded();
    await expectAccessible(page, `${path} on a phone`);
    await expectNoSidewaysScroll(page, `${path} on a phone`);
  }
}

export const DESKTOP = { width: 1280, height: 900 };
export const PHONE = { width: 390, height: 844 };

/** A fresh browser context (no cookies) on the server at `baseURL`, and a page in it. */
export async function openPage(browser: Browser, baseURL: string, viewport = DESKTOP): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ baseURL, viewport });
  const page = await context.newPage();
  return { context, page };
}

/** A fresh, random address to sign up with. */
export const newEmail = () => `person-${randomBytes(4).toString('hex')}@example.com`;

/** Follows a link of the main navigation and waits for its page's address. */
export async function openFromNav(page: Page, label: string, path: string) {
  await page.getByRole('navigation').first().getByRole('link', { name: label }).click();
  await page.waitForURL((url) => url.pathname === path);
}

/** Opens a tab of a section through its sub-navigation (e.g. "Billing sections"), waiting for the tab's heading. */
export async function openSectionTab(page: Page, sections: string, label: string, path: string) {
  await page.getByRole('navigation', { name: sections }).getByRole('link', { name: label }).click();
  await page.waitForURL((url) => url.pathname === path);
  await page.getByRole('heading', { name: label, level: 2 }).waitFor();
}

/** Signs up through the form, landing on the overview. */
export async function signUpThroughForm(page: Page, person: { name: string; email: string; password: string; organization: string }) {
  await page.goto('/signup');
  await page.getByLabel('Name').fill(person.name);
  await page.getByLabel('Email').fill(person.email);
  await page.getByLabel('Password').fill(person.password);
  await page.getByLabel('Organization').fill(person.organization);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.waitForURL((url) => url.pathname === '/');
}
