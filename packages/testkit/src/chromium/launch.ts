import { existsSync } from 'node:fs';

import { chromium, type Browser, type BrowserContext } from 'playwright-core';
import { describe } from 'vitest';

/** Debian's Chromium, installed by `.ci/run` (Debian's package, not Playwright's download). */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Headless, no sandbox (root in containers), nothing phoning home. */
const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

const available = existsSync(CHROMIUM_PATH);
if (!available) {
  if (process.env.CI === 'true') {
    // In CI a missing browser is a broken pipeline, never a silent skip.
    throw new Error(`browser tests need Chromium at ${CHROMIUM_PATH}; .ci/run installs it (apt-get install -y chromium)`);
  }
  console.warn(`\n!!! SKIPPING BROWSER TESTS: no Chromium at ${CHROMIUM_PATH}. Install it with: apt-get install -y chromium\n`);
}

/** `describe` when Chromium is there; a loud skip on a developer machine without it. */
export const describeInBrowser = available ? describe : describe.skip;

/** One browser per test file; playwright gives it a fresh, temporary user-data-dir. */
export async function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_FLAGS });
}

export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 360, height: 740 };

/**
 * A browser context that never leaves loopback (127.0.0.1, or localhost for WebAuthn tests): requests to the client's redirect URI are
 * captured (answered locally) and anything else off 127.0.0.1 is aborted.
 */
export async function loopbackContext(browser: Browser, viewport = DESKTOP, timeoutMs = 8_000): Promise<{ context: BrowserContext; redirects: URL[] }> {
  const context = await browser.newContext({ viewport, ...(viewport === PHONE ? { isMobile: true, hasTouch: true, deviceScaleFactor: 2 } : {}) });
  // Fail with the locator that did not appear, well inside the test's own timeout.
  context.setDefaultTimeout(timeoutMs);
  const redirects: URL[] = [];
  await context.route('**/*', async (route) => {
    const url = new URL(route.request().url());
    if (url.hostname === '127.0.0.1' || url.hostname === 'localhost') return route.continue();
    if (url.origin === 'https://chatgpt.com') {
      redirects.push(url);
      return route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><title>captured</title><p>redirect captured</p>' });
    }
    return route.abort('blockedbyclient');
  });
  return { context, redirects };
}
