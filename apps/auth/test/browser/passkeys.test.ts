import { createTestDatabase, type TestDatabase } from '@omnichat/db/testing';
import { decodeJwt } from 'jose';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';

import { createUser, startAuthServer, type RunningAuthServer } from '../helpers/auth-server.js';
import { TestBrowser } from '@omnichat/testkit';
import { describeInBrowser, launchChromium, loopbackContext, PHONE, capturedRedirect, chatgptClient, redeem, signIn } from '@omnichat/testkit/chromium';

const RESOURCE = 'http://127.0.0.1:3999/mcp';
const EMAIL = 'pat@example.com';
const PASSWORD = 'correct horse battery staple';

/** Chromium's virtual WebAuthn authenticator (DevTools protocol): a platform passkey with UV. */
async function virtualAuthenticator(page: Page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
  });
  return {
    credentials: async () => (await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials,
    clear: () => cdp.send('WebAuthn.clearCredentials', { authenticatorId }),
  };
}

/**
 * A browser without conditional UI: Chromium completes a conditional request with the virtual
 * authenticator's passkey at once (no autofill to pick from), so tests of the button say no.
 */
const withoutConditionalUi = (page: Page) =>
  page.addInitScript('if (window.PublicKeyCredential) PublicKeyCredential.isConditionalMediationAvailable = () => Promise.resolve(false);');

type WebAuthnCall = { path: string; mediation: string | undefined; signal: boolean; allowCredentials: number | undefined; userVerification: string | undefined };

/** Records every navigator.credentials.get() of the page (across navigations), then lets the real one run. */
async function recordGets(page: Page): Promise<WebAuthnCall[]> {
  const calls: WebAuthnCall[] = [];
  await page.exposeFunction('recordWebauthnGet', (call: WebAuthnCall) => void calls.push(call));
  // Page code, as a string: the test project has no DOM types. Init scripts run outside the page's CSP.
  await page.addInitScript(`(() => {
    const get = navigator.credentials.get.bind(navigator.credentials);
    navigator.credentials.get = (options) => {
      const publicKey = options && options.publicKey;
      window.recordWebauthnGet({ path: location.pathname, mediation: options && options.mediation, signal: !!options && options.signal instanceof AbortSignal,
        allowCredentials: publicKey && publicKey.allowCredentials ? publicKey.allowCredentials.length : undefined, userVerification: publicKey && publicKey.userVerification });
      return get(options);
    };
  })();`);
  return calls;
}

describeInBrowser('passkeys in a real browser (Chromium, virtual authenticator)', () => {
  let db: TestDatabase;
  let server: RunningAuthServer;
  let browser: Browser;
  let userId: string;
  const logLines: string[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    // WebAuthn's RP ID must be a domain: the issuer is http://localhost:<port> (a secure context).
    server = await startAuthServer({ prisma: db.prisma, resourceUrl: RESOURCE, hostname: 'localhost', env: { MFA_REQUIRED: 'admins', LOG_LEVEL: 'info' }, deps: { logStream: { write: (line: string) => void logLines.push(line) } } });
    userId = await createUser(db.prisma, EMAIL, PASSWORD);
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await db?.drop();
  });

  it('adds a passkey on /account, signs out, and links a ChatGPT-shaped client with the passkey alone', async () => {
    const { context, redirects } = await loopbackContext(browser);
    const page = await context.newPage();
    await withoutConditionalUi(page);
    const gets = await recordGets(page);
    const authenticator = await virtualAuthenticator(page);

    await page.goto(`${server.issuer}/account`);
    await signIn(page, EMAIL, PASSWORD);
    await page.getByRole('heading', { name: 'Your account' }).waitFor();
    await page.getByLabel('Passkey name (optional)').fill('Test laptop');
    await page.getByRole('button', { name: 'Add a passkey' }).click();
    await page.getByText('The passkey was added').waitFor();
    const listed = page.getByRole('list', { name: 'Passkeys' }).getByRole('listitem');
    expect(await listed.count()).toBe(1);
    expect(await listed.innerText()).toContain('Test laptop');
    expect(await listed.innerText()).toMatch(/Last used\s+Not yet/);
    const stored = await db.prisma.passkey.findMany({ where: { userId } });
    expect(stored).toHaveLength(1);
    // Discoverable (resident) and user-verified, on the authenticator.
    const [credential] = await authenticator.credentials();
    expect(credential?.isResidentCredential).toBe(true);
    expect(credential?.rpId).toBe('localhost');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();

    // The ChatGPT-shaped client: no email, no password, only the passkey.
    const client = await chatgptClient(server.issuer, RESOURCE);
    const pending = await client.authorization('openid files:read');
    await page.goto(pending.url.href);
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await page.getByRole('button', { name: 'Allow' }).click();
    const redirect = await capturedRedirect(page, redirects);
    expect(redirect.searchParams.get('state')).toBe(pending.state);
    const tokens = await redeem(server.issuer, pending, redirect, RESOURCE);
    expect(tokens.status).toBe(200);
    expect(decodeJwt(String(tokens.body.access_token)).sub).toBe(userId);
    // Where the browser has no conditional UI, only the button's request was made.
    expect(gets.map((call) => call.mediation)).toEqual([undefined]);
    // The ID token says how: a user-verified passkey, both factors (RFC 8176).
    expect(decodeJwt(String(tokens.body.id_token)).amr).toEqual(['hwk', 'user', 'mfa']);

    // /account shows the last use, and Remove takes the passkey away.
    await page.goto(`${server.issuer}/account`);
    expect(await listed.innerText()).not.toMatch(/Last used\s+Not yet/);
    expect((await db.prisma.passkey.findFirstOrThrow({ where: { userId } })).lastUsedAt).not.toBeNull();
    await page.getByRole('button', { name: 'Remove passkey Test laptop' }).click();
    // The last passkey: the session alone is not enough, the password confirms it.
    await page.getByRole('heading', { name: 'Confirm it is you' }).waitFor();
    expect(await db.prisma.passkey.count({ where: { userId } })).toBe(1);
    await page.setViewportSize(PHONE);
    expect(await page.evaluate<boolean>('document.documentElement.scrollWidth <= document.documentElement.clientWidth')).toBe(true);
    await page.getByLabel('Current password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Remove passkey Test laptop' }).click();
    await page.getByText('The passkey was removed.').waitFor();
    expect(await db.prisma.passkey.count({ where: { userId } })).toBe(0);

    // The authenticator still holds the credential, but the server no longer knows it: refused.
    await page.getByRole('button', { name: 'Sign out' }).click();
    const again = await client.authorization('files:read');
    await page.goto(again.url.href);
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await page.getByText('That passkey could not be used to sign in').waitFor();
    expect(await page.getByRole('heading', { name: 'Sign in' }).isVisible()).toBe(true);
    await context.close();
  });

  it('after a password, a passkey is the second factor; every add, use and failure is audited', async () => {
    const { context, redirects } = await loopbackContext(browser);
    const page = await context.newPage();
    await withoutConditionalUi(page);
    await virtualAuthenticator(page);
    await page.goto(`${server.issuer}/account`);
    await signIn(page, EMAIL, PASSWORD);
    await page.getByRole('button', { name: 'Add a passkey' }).click();
    await page.getByText('The passkey was added').waitFor();
    await page.getByRole('button', { name: 'Sign out' }).click();

    // The password alone is no longer enough for this account: it asks for the passkey.
    const pending = await (await chatgptClient(server.issuer, RESOURCE)).authorization('openid files:read');
    await page.goto(pending.url.href);
    await signIn(page, EMAIL, PASSWORD);
    await page.getByRole('heading', { name: 'Verify it is you' }).waitFor();
    await page.getByRole('button', { name: 'Use a passkey' }).click();
    await page.getByRole('button', { name: 'Allow' }).click();
    const tokens = await redeem(server.issuer, pending, await capturedRedirect(page, redirects), RESOURCE);
    expect(tokens.status).toBe(200);
    expect(decodeJwt(String(tokens.body.id_token)).amr).toEqual(['pwd', 'hwk', 'mfa']);
    await context.close();

    const events = logLines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((entry) => entry.audit === true && String(entry.event).startsWith('mfa.'));
    expect(events.map((entry) => `${String(entry.event)}:${String(entry.factor)}`)).toEqual([
      'mfa.factor_added:passkey', 'mfa.factor_used:passkey', 'mfa.factor_removed:passkey', 'mfa.factor_failed:passkey',
      'mfa.factor_added:passkey', 'mfa.factor_used:passkey',
    ]);
    expect(events[3]?.reason).toBe('unknown_credential');
    const stored = await db.prisma.passkey.findFirstOrThrow({ where: { userId } });
    expect(logLines.join('\n')).not.toContain(stored.credentialId);
  });

  it('conditional UI: the email field offers the passkey (autocomplete webauthn), and the passkey picked there signs in', async () => {
    const email = 'autofill@example.com';
    const autofillUserId = await createUser(db.prisma, email, PASSWORD);
    const { context, redirects } = await loopbackContext(browser);
    const page = await context.newPage();
    const gets = await recordGets(page);
    await virtualAuthenticator(page);
    await page.goto(`${server.issuer}/account`);
    await signIn(page, email, PASSWORD);
    await page.getByRole('button', { name: 'Add a passkey' }).click();
    await page.getByText('The passkey was added').waitFor();
    // Signed out without passing /account's sign-in page (its own autofill request would sign back in).
    await context.clearCookies();
    gets.length = 0;

    const client = await chatgptClient(server.issuer, RESOURCE);
    const signInPage = await new TestBrowser(server.issuer).follow((await client.authorization('openid files:read')).url.href);
    expect(signInPage.body).toMatch(/<input id="email"[^>]* autocomplete="username webauthn"/);
    expect(signInPage.body).toMatch(/<form [^>]*data-passkey="get" data-conditional/);
    const pending = await client.authorization('openid files:read');
    // Chromium's virtual authenticator answers a conditional request at once with its passkey (as
    // a user picking it in the autofill would): no click, straight on to consent.
    await page.goto(pending.url.href);
    await page.getByRole('button', { name: 'Allow' }).click();
    expect(gets).toEqual([{ path: expect.stringMatching(/^\/interaction\//), mediation: 'conditional', signal: true, allowCredentials: 0, userVerification: 'required' }]);
    const tokens = await redeem(server.issuer, pending, await capturedRedirect(page, redirects), RESOURCE);
    expect(tokens.status).toBe(200);
    expect(decodeJwt(String(tokens.body.id_token))).toMatchObject({ sub: autofillUserId, amr: ['hwk', 'user', 'mfa'] });
    await context.close();
  });

  it('shows the passkey button on a 360 px phone screen without sideways scroll, and keeps it out of reach of a forged post', async () => {
    const { context } = await loopbackContext(browser, PHONE);
    const page = await context.newPage();
    await page.goto(`${server.issuer}/account`);
    await page.getByRole('button', { name: 'Sign in with a passkey' }).waitFor();
    expect(await page.evaluate<boolean>('document.documentElement.scrollWidth <= document.documentElement.clientWidth')).toBe(true);
    await context.close();

    // A post without the CSRF token (a cross-site form) is refused before any WebAuthn check.
    const forged = await fetch(`${server.issuer}/account/passkey`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'challenge_id=x&credential=%7B%7D' });
    expect(forged.status).toBe(400);
    expect(await forged.text()).toContain('CSRF');
  });
});
