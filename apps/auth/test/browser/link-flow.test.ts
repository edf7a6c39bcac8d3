import { createTestDatabase, type TestDatabase } from '@omnichat/db/testing';
import { describeScope } from '@omnichat/scopes';
import { decodeJwt } from 'jose';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';

import { createUser, startAuthServer, type RunningAuthServer } from '../helpers/auth-server.js';
import { token } from '@omnichat/testkit';
import { describeInBrowser, launchChromium, loopbackContext, capturedRedirect, chatgptClient, redeem, signIn } from '@omnichat/testkit/chromium';

const RESOURCE = 'http://127.0.0.1:3999/mcp';
const EMAIL = 'dana@example.com';
const PASSWORD = 'correct horse battery staple';
const OTHER_EMAIL = 'robin@example.com';

describeInBrowser('linking an app in a real browser (Chromium)', () => {
  let db: TestDatabase;
  let server: RunningAuthServer;
  let browser: Browser;

  beforeAll(async () => {
    db = await createTestDatabase();
    server = await startAuthServer({ prisma: db.prisma, resourceUrl: RESOURCE });
    await createUser(db.prisma, EMAIL, PASSWORD);
    await createUser(db.prisma, OTHER_EMAIL, PASSWORD);
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await db?.drop();
  });

  it('signs in, consents and lands on the ChatGPT redirect with code, state and iss; Revoke on /account then kills the refresh token', async () => {
    const client = await chatgptClient(server.issuer, RESOURCE);
    const pending = await client.authorization('files:read chat:read');
    const { context, redirects } = await loopbackContext(browser);
    const page = await context.newPage();

    await page.goto(pending.url.href);
    await expect.poll(() => page.getByRole('heading', { name: 'Sign in' }).isVisible()).toBe(true);
    expect(await page.getByText('to continue to ChatGPT').isVisible()).toBe(true);
    // Show password reveals and hides the field, without leaving the form.
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Show password' }).click();
    expect(await page.getByLabel('Password', { exact: true }).getAttribute('type')).toBe('text');
    await page.getByRole('button', { name: 'Hide password' }).click();
    expect(await page.getByLabel('Password', { exact: true }).getAttribute('type')).toBe('password');
    await signIn(page, EMAIL, PASSWORD);

    await page.getByRole('heading', { name: 'ChatGPT wants to access your OmniChat account' }).waitFor();
    const consent = await page.locator('main').innerText();
    expect(consent).toContain(describeScope('files:read'));
    expect(consent).toContain(describeScope('chat:read'));
    expect(consent).not.toContain(describeScope('files:write'));
    expect(consent).toContain('chatgpt.com');
    expect(consent).toContain(`Signed in as ${EMAIL}`);
    await page.getByRole('button', { name: 'Allow' }).click();

    const redirect = await capturedRedirect(page, redirects);
    expect(redirect.origin + redirect.pathname).toBe('https://chatgpt.com/connector_platform_oauth_redirect');
    expect(redirect.searchParams.get('state')).toBe(pending.state);
    expect(redirect.searchParams.get('iss')).toBe(server.issuer);
    expect(redirect.searchParams.get('code')).toBeTruthy();

    const tokens = await redeem(server.issuer, pending, redirect, RESOURCE);
    expect(tokens.status).toBe(200);
    const refreshToken = String(tokens.body.refresh_token);

    // The same browser is signed in: /account lists the app, with its scopes and a last use.
    await page.goto(`${server.issuer}/account`);
    await page.getByRole('heading', { name: 'Your account' }).waitFor();
    const app = page.locator('ul.apps > li', { hasText: 'ChatGPT' });
    expect(await app.innerText()).toContain(describeScope('chat:read'));
    expect(await app.locator('dd').nth(1).innerText()).not.toBe('Not yet');
    await page.getByRole('button', { name: 'Revoke access for ChatGPT' }).click();
    await page.getByRole('status').waitFor();
    expect(await page.getByText('No apps are connected to your account.').isVisible()).toBe(true);

    const refresh = await token(server.issuer, { grant_type: 'refresh_token', refresh_token: refreshToken, client_id: client.clientId });
    expect(refresh.status).toBe(400);
    expect(refresh.body.error).toBe('invalid_grant');
    await context.close();
  });

  it('sends access_denied with state and iss when the user clicks Deny (AS-22)', async () => {
    const pending = await (await chatgptClient(server.issuer, RESOURCE)).authorization('files:read');
    const { context, redirects } = await loopbackContext(browser);
    const page = await context.newPage();
    await page.goto(pending.url.href);
    await signIn(page, EMAIL, PASSWORD);
    await page.getByRole('button', { name: 'Deny' }).click();
    const redirect = await capturedRedirect(page, redirects);
    expect(redirect.searchParams.get('error')).toBe('access_denied');
    expect(redirect.searchParams.get('state')).toBe(pending.state);
    expect(redirect.searchParams.get('iss')).toBe(server.issuer);
    expect(redirect.searchParams.has('code')).toBe(false);
    await context.close();
  });

  it('remembers consent: in a new browser the granted scopes skip the page, and only a new scope is asked', async () => {
    const client = await chatgptClient(server.issuer, RESOURCE);
    const first = await loopbackContext(browser);
    const page = await first.context.newPage();
    await page.goto((await client.authorization('files:read')).url.href);
    await signIn(page, EMAIL, PASSWORD);
    await page.getByRole('button', { name: 'Allow' }).click();
    await capturedRedirect(page, first.redirects);
    await first.context.close();

    // A fresh browser (no session): sign-in is asked, consent is not.
    const second = await loopbackContext(browser);
    const again = await second.context.newPage();
    const pending = await client.authorization('files:read');
    await again.goto(pending.url.href);
    await signIn(again, EMAIL, PASSWORD);
    const redirect = await capturedRedirect(again, second.redirects);
    expect(redirect.searchParams.get('code')).toBeTruthy();
    expect(redirect.searchParams.get('state')).toBe(pending.state);

    // A scope not granted before is asked, and only that one.
    await again.goto((await client.authorization('files:read files:write')).url.href);
    await again.getByRole('button', { name: 'Allow' }).waitFor();
    const items = await again.locator('ul.scopes li').allInnerTexts();
    expect(items).toHaveLength(1);
    expect(items[0]).toContain(describeScope('files:write'));
    expect(await again.locator('main').innerText()).toContain('You already allowed');
    await again.getByRole('button', { name: 'Allow' }).click();
    await capturedRedirect(again, second.redirects, 2);
    await second.context.close();
  });

  it('renders a hostile client name as inert text on the consent and account pages (AS-43)', async () => {
    const hostile = '<script>alert(1)</script><img src=x onerror=alert(2)>';
    const client = await chatgptClient(server.issuer, RESOURCE, hostile);
    const { context, redirects } = await loopbackContext(browser);
    const page = await context.newPage();
    const dialogs: string[] = [];
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    await page.goto((await client.authorization('files:read')).url.href);
    expect(await page.getByText(`to continue to ${hostile}`).isVisible()).toBe(true);
    await signIn(page, EMAIL, PASSWORD);
    await page.getByRole('button', { name: 'Allow' }).waitFor();
    expect(await page.locator('.client-name').innerText()).toBe(hostile);
    expect(await page.locator('main img, main script').count()).toBe(0);
    await page.getByRole('button', { name: 'Allow' }).click();
    await capturedRedirect(page, redirects);
    await page.goto(`${server.issuer}/account`);
    expect(await page.locator('.app-name', { hasText: hostile }).innerText()).toBe(hostile);
    expect(await page.locator('main img, main script').count()).toBe(0);
    expect(dialogs).toEqual([]);
    await context.close();
  });

  it('"Not you? Switch account" signs out and asks for a sign-in for the same request', async () => {
    const pending = await (await chatgptClient(server.issuer, RESOURCE)).authorization('files:read');
    const { context, redirects } = await loopbackContext(browser);
    const page = await context.newPage();
    await page.goto(pending.url.href);
    await signIn(page, EMAIL, PASSWORD);
    await page.getByRole('button', { name: 'Not you? Switch account' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await signIn(page, OTHER_EMAIL, PASSWORD);
    await page.getByText(`Signed in as ${OTHER_EMAIL}`).waitFor();
    await page.getByRole('button', { name: 'Allow' }).click();
    const redirect = await capturedRedirect(page, redirects);
    expect(redirect.searchParams.get('state')).toBe(pending.state);
    const tokens = await redeem(server.issuer, pending, redirect, RESOURCE);
    expect(tokens.status).toBe(200);
    const otherId = (await db.prisma.user.findUniqueOrThrow({ where: { email: OTHER_EMAIL } })).id;
    expect(decodeJwt(String(tokens.body.access_token)).sub).toBe(otherId);
    await context.close();
  });

  it("prompt=login as another user where one is signed in: that user's flow completes, the first user's app stays connected", async () => {
    const client = await chatgptClient(server.issuer, RESOURCE);
    // The first user connected ChatGPT in another browser (its refresh token lives there) ...
    const elsewhere = await loopbackContext(browser);
    const firstPage = await elsewhere.context.newPage();
    const first = await client.authorization('files:read');
    await firstPage.goto(first.url.href);
    await signIn(firstPage, EMAIL, PASSWORD);
    await firstPage.getByRole('button', { name: 'Allow' }).click();
    const firstTokens = await redeem(server.issuer, first, await capturedRedirect(firstPage, elsewhere.redirects), RESOURCE);
    await elsewhere.context.close();

    // ... and is signed in here, on the account page.
    const { context, redirects } = await loopbackContext(browser);
    const page = await context.newPage();
    await page.goto(`${server.issuer}/account`);
    await signIn(page, EMAIL, PASSWORD);
    await page.getByRole('heading', { name: 'Your account' }).waitFor();

    const pending = await client.authorization('files:read');
    pending.url.searchParams.set('prompt', 'login');
    await page.goto(pending.url.href);
    await signIn(page, OTHER_EMAIL, PASSWORD);
    // oidc-provider ends the first session on the way (a self-submitting form), then asks the
    // other user's own consent for the same request.
    await page.getByText(`Signed in as ${OTHER_EMAIL}`).waitFor();
    await page.getByRole('button', { name: 'Allow' }).click();
    const redirect = await capturedRedirect(page, redirects);
    expect(redirect.searchParams.get('state')).toBe(pending.state);
    const tokens = await redeem(server.issuer, pending, redirect, RESOURCE);
    const otherId = (await db.prisma.user.findUniqueOrThrow({ where: { email: OTHER_EMAIL } })).id;
    expect(decodeJwt(String(tokens.body.access_token)).sub).toBe(otherId);

    const refreshed = await token(server.issuer, { grant_type: 'refresh_token', refresh_token: String(firstTokens.body.refresh_token), client_id: client.clientId });
    expect(refreshed.status).toBe(200);
    await context.close();
  });
});
