import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { findBrowser } from '../../support/browser-path';

export const RESULTS_DIR = path.resolve(__dirname, '../../../test-results');

/** Chromium as test/support/browser-path.ts finds it, headless, with everything that phones home turned off. */
export async function launchChromium(): Promise<Browser> {
  const found = await findBrowser();
  return chromium.launch({
    executablePath: found.executablePath,
    env: { ...process.env, ...found.env },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

export type Theme = 'dark' | 'light';

/** A fresh context (its own cookies) in one colour scheme, sized like a laptop window. */
export function newContext(browser: Browser, theme: Theme): Promise<BrowserContext> {
  return browser.newContext({
    colorScheme: theme,
    viewport: { width: 1440, height: 900 },
    acceptDownloads: true,
    reducedMotion: 'reduce',
  });
}

/** Writes `test-results/<name>-<theme>.png`. */
export async function screenshot(page: Page, name: string, theme: Theme): Promise<void> {
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  await page.screenshot({ path: path.join(RESULTS_DIR, `${name}-${theme}.png`) });
}

/** Collects page errors and console errors, so a test can assert the page stayed clean. */
export function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  return errors;
}

/**
 * A page of a fresh dark context on the dashboard at `url`, once its live channel is open, with its
 * errors collected. Waits are for state: 15 s is what a loaded two-core machine can take to get there.
 */
export async function openDashboard(
  browser: Browser,
  url: string,
): Promise<{ page: Page; errors: string[] }> {
  const page = await (await newContext(browser, 'dark')).newPage();
  page.setDefaultTimeout(15_000);
  const errors = watchErrors(page);
  await page.goto(url);
  await page.locator('header[data-live="open"]').waitFor();
  return { page, errors };
}
