// The account page's side of the connection doctor, in real Chromium: an app connects, then its
// next attempt fails at the token endpoint (a wrong PKCE verifier); the account page lists both
// attempts and says, in plain words, why the last one failed. Another user sees none of it.
import { createTestDatabase, type TestDatabase } from '@omnichat/db/testing';
import * as oauth from 'openid-client';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';

import { createUser, startAuthServer, type RunningAuthServer } from '../helpers/auth-server.js';
import { describeInBrowser, launchChromium, loopbackContext, capturedRedirect, chatgptClient, redeem, signIn } from '@omnichat/testkit/chromium';

const RESOURCE = 'http://127.0.0.1:3999/mcp';
const EMAIL = 'casey.doctor@example.com';
const OTHER = 'robin.doctor@example.com';
const PASSWORD = 'a long and memorable passphrase';

describeInBrowser('account page: recent connections of each app, and why the last one failed', () => {
  let db: TestDatabase;
  let server: RunningAuthServer;
  let browser: Browser;

  beforeAll(async () => {
    db = await createTestDatabase();
    server = await startAuthServer({ prisma: db.prisma, resourceUrl: RESOURCE });
    await createUser(db.prisma, EMAIL, PASSWORD);
    await createUser(db.prisma, OTHER, PASSWORD);
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await db?.drop();
  });

  it('shows a connected attempt, then a failed one with the diagnosis in plain words', async () => {
    const client = await chatgptClient(server.issuer, RESOURCE, 'Doctor Test App');
    const { context, redirects } = await loopbackContext(browser);
    const page = await context.newPage();

    const first = await client.authorization('files:read');
    await page.goto(first.url.href);
    await signIn(page, EMAIL, PASSWORD);
    await page.getByRole('button', { name: 'Allow' }).click();
    const granted = await redeem(server.issuer, first, await capturedRedirect(page, redirects), RESOURCE);
    expect(granted.status).toBe(200);

    // The same app again, a minute later in its life: the grant covers it, so the code comes at
    // once, and the app redeems it with the wrong verifier.
    const second = await client.authorization('files:read');
    await page.goto(`${server.issuer}/account`);
    // The navigation ends on the captured redirect, which Chromium may report as a failed load.
    await page.goto(second.url.href).catch(() => undefined);
    const refused = await redeem(server.issuer, { ...second, verifier: oauth.randomPKCECodeVerifier() }, await capturedRedirect(page, redirects, 2), RESOURCE);
    expect(refused.status).toBe(400);
    await server.app.doctor.flush();

    await page.goto(`${server.issuer}/account`);
    const app = page.getByRole('listitem').filter({ hasText: 'Doctor Test App' }).first();
    const attempts = app.getByRole('list', { name: 'Recent connections of Doctor Test App' }).getByRole('listitem');
    await expect.poll(() => attempts.allInnerTexts()).toEqual([
      expect.stringMatching(/UTC: Failed: the app could not get access$/),
      expect.stringMatching(/UTC: Connected$/),
    ]);
    const note = app.getByRole('note');
    expect(await note.innerText()).toBe('Why the last connection failed: The app finished signing in with the wrong one-time key. Connecting again usually fixes it.');
    // Plain words: no rule ids, RFC numbers or protocol parameters on the user's page.
    expect(await app.innerText()).not.toMatch(/RFC|pkce|code_verifier|invalid_grant/i);
    await context.close();
  });

  it('another user with the same app connected sees only their own attempts', async () => {
    const client = await chatgptClient(server.issuer, RESOURCE, 'Shared Name App');
    const { context, redirects } = await loopbackContext(browser);
    const page = await context.newPage();
    const pending = await client.authorization('files:read');
    await page.goto(pending.url.href);
    await signIn(page, OTHER, PASSWORD);
    await page.getByRole('button', { name: 'Allow' }).click();
    expect((await redeem(server.issuer, pending, await capturedRedirect(page, redirects), RESOURCE)).status).toBe(200);
    await server.app.doctor.flush();
    await page.goto(`${server.issuer}/account`);
    await page.getByRole('heading', { name: 'Connected apps' }).waitFor();
    expect(await page.getByText('Doctor Test App').count()).toBe(0);
    const attempts = page.getByRole('list', { name: 'Recent connections of Shared Name App' }).getByRole('listitem');
    expect(await attempts.allInnerTexts()).toEqual([expect.stringMatching(/UTC: Connected$/)]);
    expect(await page.getByRole('note').count()).toBe(0);
    await context.close();
  });
});
