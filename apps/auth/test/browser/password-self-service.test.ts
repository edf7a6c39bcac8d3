import { createResetLink } from '@omnichat/db';
import { createTestDatabase, type TestDatabase } from '@omnichat/db/testing';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';

import { createUser, startAuthServer, type RunningAuthServer } from '../helpers/auth-server.js';
import { token } from '@omnichat/testkit';
import { describeInBrowser, launchChromium, loopbackContext, PHONE, capturedRedirect, chatgptClient, redeem, signIn } from '@omnichat/testkit/chromium';

const RESOURCE = 'http://127.0.0.1:3999/mcp';
const EMAIL = 'sam@example.com';
const PASSWORD = 'correct horse battery staple';
const NEW_PASSWORD = 'a brand new long passphrase';
const RESET_PASSWORD = 'the password from the reset link';

describeInBrowser('changing and resetting a password in a real browser (Chromium)', () => {
  let db: TestDatabase;
  let server: RunningAuthServer;
  let browser: Browser;
  let userId: string;
  const logLines: string[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    server = await startAuthServer({ prisma: db.prisma, resourceUrl: RESOURCE, env: { LOG_LEVEL: 'info' }, deps: { logStream: { write: (line: string) => void logLines.push(line) } } });
    userId = await createUser(db.prisma, EMAIL, PASSWORD);
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await db?.drop();
  });

  it('Change password: the current one is required, other browsers are signed out, connected apps stay', async () => {
    // A connected app, and a second browser signed in.
    const client = await chatgptClient(server.issuer, RESOURCE);
    const elsewhere = await loopbackContext(browser);
    const otherPage = await elsewhere.context.newPage();
    const pending = await client.authorization('files:read');
    await otherPage.goto(pending.url.href);
    await signIn(otherPage, EMAIL, PASSWORD);
    await otherPage.getByRole('button', { name: 'Allow' }).click();
    const tokens = await redeem(server.issuer, pending, await capturedRedirect(otherPage, elsewhere.redirects), RESOURCE);

    const { context } = await loopbackContext(browser, PHONE);
    const page = await context.newPage();
    await page.goto(`${server.issuer}/account`);
    await signIn(page, EMAIL, PASSWORD);
    await page.getByRole('link', { name: 'Change password' }).click();
    await page.getByRole('heading', { name: 'Change password' }).waitFor();
    expect(await page.evaluate<boolean>('document.documentElement.scrollWidth <= document.documentElement.clientWidth')).toBe(true);

    // Wrong current password: refused.
    await page.getByLabel('Current password').fill('not my password at all');
    await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
    await page.getByLabel('Repeat the new password').fill(NEW_PASSWORD);
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByText('Your current password is not right.').waitFor();
    // Too short: refused.
    await page.getByLabel('Current password').fill(PASSWORD);
    await page.getByLabel('New password', { exact: true }).fill('short');
    await page.getByLabel('Repeat the new password').fill('short');
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByText('Choose a password of at least 12 characters.').waitFor();

    // Keyboard only: Tab through the fields and submit with Enter.
    await page.getByLabel('Current password').fill(PASSWORD);
    await page.keyboard.press('Tab');
    await page.keyboard.type(NEW_PASSWORD);
    await page.keyboard.press('Tab');
    await page.keyboard.type(NEW_PASSWORD);
    await page.keyboard.press('Enter');
    await page.getByText('Your password was changed.').waitFor();

    // This browser stays signed in; the other one is signed out; the app keeps working.
    await otherPage.goto(`${server.issuer}/account`);
    await otherPage.getByRole('heading', { name: 'Sign in' }).waitFor();
    const refresh = await token(server.issuer, { grant_type: 'refresh_token', refresh_token: String(tokens.body.refresh_token), client_id: client.clientId });
    expect(refresh.status).toBe(200);
    // The old password no longer signs in; the new one does.
    await signIn(otherPage, EMAIL, PASSWORD);
    await otherPage.getByText('That email and password do not match an account.').waitFor();
    await signIn(otherPage, EMAIL, NEW_PASSWORD);
    await otherPage.getByRole('heading', { name: 'Your account' }).waitFor();
    await elsewhere.context.close();
    await context.close();
  });

  it('a reset link sets a password once; used again or expired it is refused', async () => {
    const link = await createResetLink(db.prisma, server.issuer, userId, 3600);
    const { context } = await loopbackContext(browser);
    const page = await context.newPage();
    await page.goto(link.url);
    await page.getByRole('heading', { name: 'Set a new password' }).waitFor();
    await page.getByLabel('New password', { exact: true }).fill(RESET_PASSWORD);
    await page.getByLabel('Repeat the new password').fill('does not match the first');
    await page.getByRole('button', { name: 'Set password' }).click();
    await page.getByText('The two new passwords do not match.').waitFor();
    await page.getByLabel('New password', { exact: true }).fill(RESET_PASSWORD);
    await page.getByLabel('Repeat the new password').fill(RESET_PASSWORD);
    await page.getByRole('button', { name: 'Set password' }).click();
    await page.getByRole('heading', { name: 'Your password is set' }).waitFor();
    await page.getByRole('link', { name: 'Sign in' }).click();
    await signIn(page, EMAIL, RESET_PASSWORD);
    await page.getByRole('heading', { name: 'Your account' }).waitFor();

    // Used once: the same link is gone.
    const reused = await page.goto(link.url);
    expect(reused?.status()).toBe(410);
    await page.getByRole('heading', { name: 'This link no longer works' }).waitFor();

    // Expired: refused, and the password is unchanged.
    const expired = await createResetLink(db.prisma, server.issuer, userId, 60, new Date(Date.now() - 120_000));
    expect((await page.goto(expired.url))?.status()).toBe(410);
    // A post with a forged token is refused the same way.
    await page.goto(`${server.issuer}/account`);
    // (The pages' CSP allows no fetch; the context's request API shares the browser's cookies.)
    const csrf = await page.locator('input[name=csrf]').first().inputValue();
    const form = { csrf, token: 'A'.repeat(43), password: 'whatever whatever', confirm: 'whatever whatever' };
    const forged = await page.request.post(`${server.issuer}/account/reset`, { form, headers: { origin: server.issuer } });
    expect(forged.status()).toBe(410);
    // Without the CSRF token it is refused before the token is looked at.
    const noCsrf = await page.request.post(`${server.issuer}/account/reset`, { form: { ...form, csrf: '' }, headers: { origin: server.issuer } });
    expect(noCsrf.status()).toBe(400);
    await context.close();

    // Neither link's token reached a log line.
    const all = logLines.join('\n');
    for (const url of [link.url, expired.url]) expect(all).not.toContain(url.split('/').pop() as string);
    expect(all).not.toContain(RESET_PASSWORD);
  });
});
