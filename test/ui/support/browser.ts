// Debian's chromium driven by playwright-core: never a downloaded browser. The tests skip (saying why) only when
// /usr/bin/chromium is absent; .ci/run installs it.
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
export const hasChromium = (): boolean => existsSync(CHROMIUM);

export const launchBrowser = (): Promise<Browser> =>
  chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });

/**
 * Opens `path`, signs in through the console's key prompt with `key` (a real key from the server's database, see
 * ConsoleServer.key) and records the page's errors. `expectSignedIn: false` stops at the prompt's answer (a refused key).
 */
export const openSignedIn = async (browser: Browser, base: string, path: string, key: string, options: { expectSignedIn?: boolean } = {}) => {
  const context = await browser.newContext({ viewport: { width: 1440, height: 1000 } });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) errors.push(m.text());
  });
  await page.goto(`${base}${path}`);
  await page.locator('input[name=apiKey]').fill(key);
  await page.locator('form button[type=submit]').click();
  if (options.expectSignedIn !== false) await page.locator('header .who[data-role]:not([data-role=unknown])').waitFor();
  return { page, errors, close: () => context.close() };
};

export const go = async (page: Page, path: string) => {
  await page.evaluate((p) => {
    history.pushState(null, '', p);
    dispatchEvent(new PopStateEvent('popstate'));
  }, path);
};
