import { createTestDatabase, type TestDatabase } from '@omnichat/db/testing';
import { Secret, TOTP } from 'otpauth';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';

import { createUser, startAuthServer, type RunningAuthServer } from '../helpers/auth-server.js';
import { describeInBrowser, launchChromium, loopbackContext, PHONE, capturedRedirect, chatgptClient, redeem, signIn } from '@omnichat/testkit/chromium';

const RESOURCE = 'http://127.0.0.1:3999/mcp';
const PASSWORD = 'correct horse battery staple';
const USER = 'totp-user@example.com';
const ADMIN = 'admin@example.com';

/** The code an authenticator app would show, `steps` 30-second steps from now. */
const codeFor = (secret: string, steps = 0) => TOTP.generate({ secret: Secret.fromBase32(secret), timestamp: Date.now() + steps * 30_000 });

const noSidewaysScroll = (page: Page) => page.evaluate<boolean>('document.documentElement.scrollWidth <= document.documentElement.clientWidth');

describeInBrowser('authenticator app and MFA_REQUIRED in a real browser (Chromium)', () => {
  let db: TestDatabase;
  let server: RunningAuthServer;
  let browser: Browser;
  let secret = '';
  let recoveryCodes: string[] = [];
  const logLines: string[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    server = await startAuthServer({
      prisma: db.prisma,
      resourceUrl: RESOURCE,
      env: { MFA_REQUIRED: 'admins', LOG_LEVEL: 'info' },
      deps: { logStream: { write: (line: string) => void logLines.push(line) } },
    });
    await createUser(db.prisma, USER, PASSWORD);
    const adminId = await createUser(db.prisma, ADMIN, PASSWORD);
    await db.prisma.user.update({ where: { id: adminId }, data: { isAdmin: true } });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await db?.drop();
  });

  const audits = (event: string) => logLines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((entry) => entry.audit === true && entry.event === event);

  it('sets up an authenticator app on /account: QR code and key, one code confirms, ten recovery codes shown once', async () => {
    const { context } = await loopbackContext(browser, PHONE);
    const page = await context.newPage();
    await page.goto(`${server.issuer}/account`);
    await signIn(page, USER, PASSWORD);
    await page.getByRole('link', { name: 'Set up an authenticator app' }).click();
    await page.getByRole('heading', { name: 'Set up an authenticator app' }).waitFor();
    expect(await page.getByRole('img', { name: 'QR code to scan with your authenticator app' }).getAttribute('src')).toMatch(/^data:image\/svg\+xml;base64,/);
    secret = (await page.locator('[data-secret]').innerText()).trim();
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(await noSidewaysScroll(page)).toBe(true);

    await page.getByLabel('6-digit code').fill('000000');
    await page.getByRole('button', { name: 'Confirm' }).click();
    await page.getByRole('alert').waitFor();
    expect(await page.getByRole('alert').innerText()).toContain('That code is not right');

    await page.getByLabel('6-digit code').fill(codeFor(secret));
    await page.getByRole('button', { name: 'Confirm' }).click();
    await page.getByRole('heading', { name: 'Save your recovery codes' }).waitFor();
    expect(await page.getByRole('status').innerText()).toBe('The authenticator app is set up.');
    recoveryCodes = await page.getByRole('list', { name: 'Recovery codes' }).getByRole('listitem').allInnerTexts();
    expect(recoveryCodes).toHaveLength(10);
    expect(await noSidewaysScroll(page)).toBe(true);
    // Stored hashed: no row holds a code.
    const rows = await db.prisma.recoveryCode.findMany();
    expect(rows.map((row) => row.codeHash)).not.toContain(recoveryCodes[0]);
    const factor = await db.prisma.totpFactor.findFirstOrThrow();
    expect(factor.secretEncrypted).not.toContain(secret);
    expect(audits('mfa.factor_added').map((entry) => entry.factor)).toEqual(['totp', 'recovery_code']);
    await context.close();
  });

  it('signs a ChatGPT-shaped client in with password + code; the same code again is refused as a replay', async () => {
    const client = await chatgptClient(server.issuer, RESOURCE);
    const code = codeFor(secret, 1); // the set-up spent this step's code
    {
      const { context, redirects } = await loopbackContext(browser);
      const page = await context.newPage();
      const pending = await client.authorization('files:read');
      await page.goto(pending.url.href);
      await signIn(page, USER, PASSWORD);
      await page.getByRole('heading', { name: 'Verify it is you' }).waitFor();
      // A wrong code first: refused, audited, still on the page.
      await page.getByLabel('6-digit code').fill('123456' === code ? '654321' : '123456');
      await page.getByRole('button', { name: 'Verify' }).click();
      await page.getByRole('alert').waitFor();
      await page.getByLabel('6-digit code').fill(code);
      await page.getByRole('button', { name: 'Verify' }).click();
      await page.getByRole('button', { name: 'Allow' }).click();
      const tokens = await redeem(server.issuer, pending, await capturedRedirect(page, redirects), RESOURCE);
      expect(tokens.status).toBe(200);
      await context.close();
    }
    const { context } = await loopbackContext(browser);
    const page = await context.newPage();
    await page.goto((await client.authorization('files:read')).url.href);
    await signIn(page, USER, PASSWORD);
    await page.getByLabel('6-digit code').fill(code);
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByText('That code was already used').waitFor();
    expect(await page.getByRole('button', { name: 'Allow' }).count()).toBe(0);
    expect(audits('mfa.factor_failed').map((entry) => entry.reason)).toEqual(['bad_code', 'bad_code', 'replayed']);
    await context.close();
  });

  it('accepts a recovery code once; the same recovery code a second time is refused', async () => {
    const client = await chatgptClient(server.issuer, RESOURCE);
    const useRecovery = async (page: Page, recovery: string) => {
      await page.goto((await client.authorization('files:read')).url.href);
      await signIn(page, USER, PASSWORD);
      await page.getByText('Use a recovery code').click();
      await page.getByLabel('Recovery code').fill(recovery);
      await page.getByRole('button', { name: 'Use recovery code' }).click();
    };
    const first = await loopbackContext(browser);
    const page = await first.context.newPage();
    await useRecovery(page, (recoveryCodes[0] as string).toLowerCase());
    await page.getByRole('button', { name: 'Allow' }).waitFor();
    await first.context.close();

    const second = await loopbackContext(browser);
    const again = await second.context.newPage();
    await useRecovery(again, recoveryCodes[0] as string);
    await again.getByText('That recovery code is not right or was already used.').waitFor();
    expect(await db.prisma.recoveryCode.count({ where: { usedAt: { not: null } } })).toBe(1);
    await second.context.close();
  });

  it('MFA_REQUIRED=admins: an admin is taken to set up a factor before consent, and cannot reach consent without it', async () => {
    const client = await chatgptClient(server.issuer, RESOURCE);
    const { context, redirects } = await loopbackContext(browser);
    const page = await context.newPage();
    const pending = await client.authorization('files:read');
    await page.goto(pending.url.href);
    await signIn(page, ADMIN, PASSWORD);
    await page.getByRole('heading', { name: 'Set up an authenticator app' }).waitFor();
    expect(await page.getByText('Your account needs a second factor before you can continue.').isVisible()).toBe(true);
    const setupUrl = page.url();
    const uid = new URL(setupUrl).pathname.split('/')[2] as string;

    // Skipping the step leads nowhere: the interaction has no signed-in account, and Continue
    // without a confirmed factor sends back to the start.
    await page.goto(`${server.issuer}/interaction/${uid}`);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect(await db.prisma.oidcPayload.count({ where: { model: 'Session', payload: { path: ['accountId'], equals: (await db.prisma.user.findUniqueOrThrow({ where: { email: ADMIN } })).id } } })).toBe(0);

    await page.goto(setupUrl);
    const adminSecret = (await page.locator('[data-secret]').innerText()).trim();
    await page.getByLabel('6-digit code').fill(codeFor(adminSecret));
    await page.getByRole('button', { name: 'Confirm' }).click();
    await page.getByRole('heading', { name: 'Save your recovery codes' }).waitFor();
    await page.getByRole('button', { name: 'I saved them, continue' }).click();
    await page.getByRole('button', { name: 'Allow' }).click();
    const tokens = await redeem(server.issuer, pending, await capturedRedirect(page, redirects), RESOURCE);
    expect(tokens.status).toBe(200);
    await context.close();

    // On /account too: the admin's password alone now asks for the code.
    const other = await loopbackContext(browser);
    const accountPage = await other.context.newPage();
    await accountPage.goto(`${server.issuer}/account`);
    await signIn(accountPage, ADMIN, PASSWORD);
    await accountPage.getByRole('heading', { name: 'Verify it is you' }).waitFor();
    await accountPage.getByLabel('6-digit code').fill(codeFor(adminSecret, 1));
    await accountPage.getByRole('button', { name: 'Verify' }).click();
    await accountPage.getByRole('heading', { name: 'Your account' }).waitFor();
    // Under the policy the admin's only factor cannot be removed.
    await accountPage.getByRole('button', { name: 'Remove authenticator app' }).click();
    await accountPage.getByText('Your account must keep a second factor').first().waitFor();
    expect(await db.prisma.totpFactor.count({ where: { user: { email: ADMIN } } })).toBe(1);
    await other.context.close();

    // No code, recovery code or secret in any log line.
    const all = logLines.join('\n');
    for (const leaked of [secret, adminSecret, ...recoveryCodes, PASSWORD]) expect(all).not.toContain(leaked);
  });
});
