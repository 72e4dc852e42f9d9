/**
 * Headless Debian Chromium for the UI tests: where it lives, whether it is installed (CI must
 * have it; a developer without it gets a warning and skipped tests), how it is launched, and the
 * page-error collector and screenshot helper every scenario uses.
 */
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { describe, it } from 'vitest';
import { REPO_ROOT } from './build-ui.js';

export const CHROMIUM = '/usr/bin/chromium';
export const HAVE_CHROMIUM = existsSync(CHROMIUM);
export const ARTIFACTS = path.join(REPO_ROOT, 'test-artifacts/ui');
/** Upper bound for one UI condition to appear; every wait in these tests is bounded by it or less. */
export const WAIT = { timeout: 20_000 };
export const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/;

/** Call once per test file: in CI a missing Chromium is a failing test, elsewhere a warning. */
export function reportMissingChromium(file: string): void {
  if (HAVE_CHROMIUM) return;
  if (process.env.CI === 'true') {
    describe(file, () => {
      it('needs Chromium at /usr/bin/chromium (run .ci/install-chromium.sh)', () => {
        throw new Error(`${CHROMIUM} is missing; CI must install it with .ci/install-chromium.sh`);
      });
    });
  } else {
    console.warn(`[${file}] skipped: ${CHROMIUM} is missing (bash .ci/install-chromium.sh installs it)`);
  }
}

export async function launchBrowser(): Promise<Browser> {
  mkdirSync(ARTIFACTS, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    timeout: 30_000,
  });
}

/**
 * Collects uncaught page errors and console errors. Chromium logs every non-2xx response as
 * "Failed to load resource"; the scenarios that expect one assert the status themselves.
 */
export function collectPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error' && !msg.text().startsWith('Failed to load resource')) errors.push(`console: ${msg.text()}`);
  });
  return errors;
}

/** Full-page screenshot to test-artifacts/ui/<name>.png. */
export async function screenshot(page: Page, name: string, fullPage = true): Promise<void> {
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage });
}
