import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { createTestDatabase, type TestDatabase } from '@omnichat/db/testing';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';

import { createUser, startAuthServer, type RunningAuthServer } from '../helpers/auth-server.js';
import { DESKTOP, describeInBrowser, launchChromium, loopbackContext, PHONE, capturedRedirect, chatgptClient, redeem, signIn } from '@omnichat/testkit/chromium';

const RESOURCE = 'http://127.0.0.1:3999/mcp';
const EMAIL = 'alex.morgan@example.com';
const PASSWORD = 'a long and memorable passphrase';

/**
 * `pnpm --filter @omnichat/auth screenshots` sets UPDATE_SCREENSHOTS=1 and the pictures land in
 * docs/screenshots (committed, shown in the README); otherwise they go to a temporary directory.
 */
const SHOTS_DIR = process.env.UPDATE_SCREENSHOTS === '1'
  ? path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../docs/screenshots')
  : mkdtempSync(path.join(tmpdir(), 'omnichat-shots-'));

async function assertNoHorizontalScroll(page: Page): Promise<void> {
  // Runs in the page: the string keeps DOM types out of this Node-only tsconfig.
  const { scrollWidth, clientWidth } = await page.evaluate<{ scrollWidth: number; clientWidth: number }>(
    '({ scrollWidth: document.documentElement.scrollWidth, clientWidth: document.documentElement.clientWidth })',
  );
  expect(scrollWidth).toBeLessThanOrEqual(clientWidth);
}

describeInBrowser('sign-in, consent and account pages on a phone and a desktop', () => {
  let db: TestDatabase;
  let server: RunningAuthServer;
  let browser: Browser;

  beforeAll(async () => {
    mkdirSync(SHOTS_DIR, { recursive: true });
    db = await createTestDatabase();
    server = await startAuthServer({ prisma: db.prisma, resourceUrl: RESOURCE });
    await createUser(db.prisma, EMAIL, PASSWORD);
    await createUser(db.prisma, `phone.${EMAIL}`, PASSWORD);
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await db?.drop();
  });

  it.each([
    ['phone', PHONE],
    ['desktop', DESKTOP],
  ] as const)('fits a %s screen with no horizontal scroll, and is screenshotted', async (name, viewport) => {
    const client = await chatgptClient(server.issuer, RESOURCE);
    const pending = await client.authorization('files:read files:write chat:read chat:write');
    const { context, redirects } = await loopbackContext(browser, viewport);
    const page = await context.newPage();
    const shoot = (screen: string) => page.screenshot({ path: path.join(SHOTS_DIR, `${screen}-${name}.png`), fullPage: true });

    await page.goto(pending.url.href);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await assertNoHorizontalScroll(page);
    await shoot('sign-in');

    // One account per screen size, so each account page shows just this connection.
    await signIn(page, name === 'phone' ? `phone.${EMAIL}` : EMAIL, PASSWORD);
    await page.getByRole('button', { name: 'Allow' }).waitFor();
    await assertNoHorizontalScroll(page);
    await shoot('consent');
    await page.getByRole('button', { name: 'Allow' }).click();
    expect((await redeem(server.issuer, pending, await capturedRedirect(page, redirects), RESOURCE)).status).toBe(200);

    await page.goto(`${server.issuer}/account`);
    await page.getByRole('heading', { name: 'Connected apps' }).waitFor();
    await assertNoHorizontalScroll(page);
    await shoot('account');
    await context.close();
  });

  it('keeps a long unbroken client name and email inside a phone screen', async () => {
    const client = await chatgptClient(server.issuer, RESOURCE, `Very${'Long'.repeat(40)}AppName`);
    const { context } = await loopbackContext(browser, PHONE);
    const page = await context.newPage();
    await page.goto((await client.authorization('files:read')).url.href);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await assertNoHorizontalScroll(page);
    await signIn(page, EMAIL, PASSWORD);
    await page.getByRole('button', { name: 'Allow' }).waitFor();
    await assertNoHorizontalScroll(page);
    await context.close();
  });
});
