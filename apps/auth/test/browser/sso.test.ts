// Sign-in through the company's identity provider, end to end in Chromium: a second, real OpenID
// provider (oidc-provider with its own key, accounts and login pages) runs on loopback as the
// upstream IdP; our real sign-in page offers "Continue with Acme SSO"; the browser signs in there,
// comes back through our callback into the same authorization, consents, and the ChatGPT-shaped
// client redeems the code. Then everything it must refuse, each on its own page.
import { createServer, type Server } from 'node:net';

import { createTestDatabase, type TestDatabase } from '@omnichat/db/testing';
import { addIdentityProvider, parseIdpSettings } from '@omnichat/sso';
import { startUpstreamIdp, type UpstreamIdp } from '@omnichat/sso/testing';
import { decodeJwt } from 'jose';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';

import { createUser, startAuthServer, TEST_KEY_ENCRYPTION_SECRET, type RunningAuthServer } from '../helpers/auth-server.js';
import { TestBrowser, csrfFrom } from '@omnichat/testkit';
import { describeInBrowser, launchChromium, loopbackContext, PHONE, capturedRedirect, chatgptClient, redeem, signIn, type PendingAuthorization } from '@omnichat/testkit/chromium';

const RESOURCE = 'http://127.0.0.1:3999/mcp';
const LABEL = 'Acme SSO';
const PASSWORD = 'correct horse battery staple';

describeInBrowser('sign-in with an upstream OpenID provider (Chromium, real second IdP)', () => {
  let db: TestDatabase;
  let server: RunningAuthServer;
  let idp: UpstreamIdp;
  let browser: Browser;
  const logs: string[] = [];
  let contexts: BrowserContext[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    server = await startAuthServer({
      prisma: db.prisma,
      resourceUrl: RESOURCE,
      env: { LOG_LEVEL: 'info', SSO_TIMEOUT_SECONDS: '1' },
      deps: { logStream: { write: (line) => void logs.push(line) } },
    });
    idp = await startUpstreamIdp({ redirectUris: [`${server.issuer}/sso/corp/callback`] });
    await addIdentityProvider(db.prisma, parseIdpSettings({ slug: 'corp', issuer: idp.issuer, clientId: idp.clientId, label: LABEL }, { production: false }), idp.clientSecret, TEST_KEY_ENCRYPTION_SECRET);
    browser = await launchChromium();
  });

  afterEach(async () => {
    idp.rewriteIdToken(undefined);
    await db.prisma.identityProvider.update({ where: { slug: 'corp' }, data: { issuer: idp.issuer, allowedDomains: [], jitEnabled: true } });
    await Promise.all(contexts.map((context) => context.close()));
    contexts = [];
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await idp?.close();
    await db?.drop();
  });

  /** A fresh browser (no session here or at the IdP) that records our callback URLs and CSP violations. */
  async function freshPage(viewport?: typeof PHONE) {
    const { context, redirects } = await loopbackContext(browser, viewport);
    contexts.push(context);
    const page = await context.newPage();
    const callbacks: string[] = [];
    const violations: string[] = [];
    page.on('request', (request) => {
      if (request.url().startsWith(`${server.issuer}/sso/`)) callbacks.push(request.url());
    });
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
    });
    return { page, redirects, callbacks, violations };
  }

  /** oidc-provider's own login and consent pages at the IdP (any password; the login is the `sub`). */
  async function signInAtIdp(page: Page, login: string) {
    await page.waitForURL((url) => url.origin === idp.issuer);
    await page.locator('input[name=login]').fill(login);
    await page.locator('input[name=password]').fill('anything');
    await page.getByRole('button', { name: 'Sign-in' }).click();
    await page.getByRole('button', { name: 'Continue' }).click();
  }

  async function startAtOurSignIn(page: Page, scope = 'files:read') {
    const client = await chatgptClient(server.issuer, RESOURCE);
    const pending = await client.authorization(scope);
    await page.goto(pending.url.href);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    return { client, pending };
  }

  const userByEmail = (email: string) => db.prisma.user.findUnique({ where: { email }, include: { identities: true } });
  const auditLines = () => logs.map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line.audit === true);

  it('links ChatGPT without a local password: JIT account, consent, code, token for the MCP resource', async () => {
    idp.accounts.set('newbie-sub', { email: 'Newbie@Corp.Example', email_verified: true, name: 'New Bie' });
    const { page, redirects, callbacks, violations } = await freshPage();
    const { pending } = await startAtOurSignIn(page, 'openid files:read chat:read');
    await page.getByRole('button', { name: `Continue with ${LABEL}` }).click();
    await signInAtIdp(page, 'newbie-sub');

    await page.getByRole('heading', { name: 'ChatGPT wants to access your OmniChat account' }).waitFor();
    expect(await page.locator('main').innerText()).toContain('Signed in as newbie@corp.example');
    await page.getByRole('button', { name: 'Allow' }).click();
    const redirect = await capturedRedirect(page, redirects);
    expect(redirect.searchParams.get('state')).toBe(pending.state);
    expect(redirect.searchParams.get('iss')).toBe(server.issuer);

    const tokens = await redeem(server.issuer, pending, redirect, RESOURCE);
    expect(tokens.status).toBe(200);
    const user = await userByEmail('newbie@corp.example');
    expect(user).toMatchObject({ passwordHash: null, isAdmin: false });
    expect(user?.emailVerifiedAt).toBeInstanceOf(Date);
    expect(user?.identities).toEqual([expect.objectContaining({ subject: 'newbie-sub', email: 'newbie@corp.example', emailVerified: true })]);
    // The ID token says the company IdP signed the user in (its own MFA stands for ours).
    expect(decodeJwt(String(tokens.body.id_token)).amr).toEqual(['sso']);
    const access = decodeJwt(String(tokens.body.access_token));
    expect(access.sub).toBe(user?.id);
    expect(access.aud).toBe(RESOURCE);
    expect(violations).toEqual([]);

    expect(auditLines()).toEqual(expect.arrayContaining([
      expect.objectContaining({ event: 'user.created', accountId: user?.id, by: 'sso', emailVerified: true }),
      expect.objectContaining({ event: 'sso.sign_in.succeeded', provider: 'corp', accountId: user?.id, outcome: 'created', clientId: pending.clientId }),
    ]));

    // The callback is single use: the same URL again, in the same browser, is refused as a replay.
    expect(callbacks).toHaveLength(1);
    const replay = await page.goto(callbacks[0] as string);
    expect(replay?.status()).toBe(400);
    expect(await page.getByRole('heading', { name: 'This sign-in was already used' }).isVisible()).toBe(true);

    // Nothing that acts as a credential reaches the logs: not the IdP's code, our state, the secret.
    const callback = new URL(callbacks[0] as string);
    const text = logs.join('\n');
    for (const secret of [callback.searchParams.get('code'), callback.searchParams.get('state'), idp.clientSecret, String(tokens.body.access_token)]) {
      expect(secret).toBeTruthy();
      expect(text).not.toContain(secret);
    }
  });

  it('links an existing account by a verified email; a returning sign-in skips the remembered consent; /account shows the IdP', async () => {
    const danaId = await createUser(db.prisma, 'dana@corp.example', PASSWORD);
    idp.accounts.set('dana-sub', { email: 'dana@corp.example', email_verified: true });
    const first = await freshPage();
    const { client, pending } = await startAtOurSignIn(first.page);
    await first.page.getByRole('button', { name: `Continue with ${LABEL}` }).click();
    await signInAtIdp(first.page, 'dana-sub');
    await first.page.getByRole('button', { name: 'Allow' }).click();
    const tokens = await redeem(server.issuer, pending, await capturedRedirect(first.page, first.redirects), RESOURCE);
    expect(decodeJwt(String(tokens.body.access_token)).sub).toBe(danaId);
    expect(auditLines()).toEqual(expect.arrayContaining([expect.objectContaining({ event: 'sso.sign_in.succeeded', accountId: danaId, outcome: 'linked' })]));

    // A new browser: sign in at the IdP again; the grant is remembered, so no consent page.
    const second = await freshPage();
    const again: PendingAuthorization = await client.authorization('files:read');
    await second.page.goto(again.url.href);
    await second.page.getByRole('button', { name: `Continue with ${LABEL}` }).click();
    await signInAtIdp(second.page, 'dana-sub');
    const redirect = await capturedRedirect(second.page, second.redirects);
    expect(redirect.searchParams.get('state')).toBe(again.state);
    expect((await redeem(server.issuer, again, redirect, RESOURCE)).status).toBe(200);
    expect(auditLines()).toEqual(expect.arrayContaining([expect.objectContaining({ event: 'sso.sign_in.succeeded', accountId: danaId, outcome: 'returning' })]));

    await second.page.goto(`${server.issuer}/account`);
    const methods = await second.page.locator('ul.methods').innerText();
    expect(methods).toContain('Email and password');
    expect(methods).toContain(`${LABEL} (dana@corp.example)`);
  });

  it('an admin signing in through the IdP goes straight to consent: MFA_REQUIRED=admins leaves the second factor to the IdP', async () => {
    const adminId = await createUser(db.prisma, 'boss@corp.example', PASSWORD);
    await db.prisma.user.update({ where: { id: adminId }, data: { isAdmin: true } });
    idp.accounts.set('boss-sub', { email: 'boss@corp.example', email_verified: true });
    const { page, redirects } = await freshPage();
    const { pending } = await startAtOurSignIn(page);
    await page.getByRole('button', { name: `Continue with ${LABEL}` }).click();
    await signInAtIdp(page, 'boss-sub');
    await page.getByRole('button', { name: 'Allow' }).click();
    const tokens = await redeem(server.issuer, pending, await capturedRedirect(page, redirects), RESOURCE);
    expect(decodeJwt(String(tokens.body.access_token)).sub).toBe(adminId);
  });

  it('refuses to link an unverified email to the existing account, and Cancel returns access_denied to the client', async () => {
    const robinId = await createUser(db.prisma, 'robin@corp.example', PASSWORD);
    idp.accounts.set('robin-impostor', { email: 'robin@corp.example', email_verified: false });
    const { page, redirects } = await freshPage();
    const { pending } = await startAtOurSignIn(page);
    await page.getByRole('button', { name: `Continue with ${LABEL}` }).click();
    await signInAtIdp(page, 'robin-impostor');
    await page.getByRole('heading', { name: 'An account with this email already exists' }).waitFor();
    expect(await page.getByRole('alert').innerText()).toContain(`${LABEL} did not confirm that robin@corp.example is yours`);
    expect((await userByEmail('robin@corp.example'))?.identities).toEqual([]);
    expect(auditLines()).toEqual(expect.arrayContaining([expect.objectContaining({ event: 'sso.sign_in.failed', provider: 'corp', reason: 'unverified_email_link' })]));

    // Cancel ends the request properly: the client gets access_denied with its state.
    expect(await page.getByRole('link', { name: 'Back to sign-in' }).isVisible()).toBe(true);
    await page.getByRole('button', { name: 'Cancel and return to the app' }).click();
    const redirect = await capturedRedirect(page, redirects);
    expect(redirect.searchParams.get('error')).toBe('access_denied');
    expect(redirect.searchParams.get('state')).toBe(pending.state);
    expect(await db.prisma.externalIdentity.count({ where: { userId: robinId } })).toBe(0);
  });

  it.each([
    ['a domain outside --allow-domain', { allowedDomains: ['corp.example'] }, { email: 'eve@other.example', email_verified: true }, 'This account cannot sign in here', 'domain_not_allowed'],
    ['an unverified email under a domain rule', { allowedDomains: ['corp.example'] }, { email: 'sam@corp.example', email_verified: false }, 'Your email address is not verified', 'email_unverified'],
    ['a new person when JIT is off', { jitEnabled: false }, { email: 'stranger@corp.example', email_verified: true }, 'You do not have an account here yet', 'jit_disabled'],
    ['an IdP that shares no email', {}, { name: 'No Mail' }, 'No email address was shared', 'no_email'],
  ] as const)('refuses %s with its own page and creates nothing', async (_name, rule, account, heading, reason) => {
    await db.prisma.identityProvider.update({
      where: { slug: 'corp' },
      data: { allowedDomains: 'allowedDomains' in rule ? [...rule.allowedDomains] : [], jitEnabled: 'jitEnabled' in rule ? rule.jitEnabled : true },
    });
    const sub = `sub-${reason}`;
    idp.accounts.set(sub, account);
    const before = await db.prisma.user.count();
    const { page } = await freshPage();
    await startAtOurSignIn(page);
    await page.getByRole('button', { name: `Continue with ${LABEL}` }).click();
    await signInAtIdp(page, sub);
    await page.getByRole('heading', { name: heading }).waitFor();
    expect(await page.getByText(`Error code: ${reason}`).isVisible()).toBe(true);
    expect(await page.getByRole('link', { name: 'Back to sign-in' }).isVisible()).toBe(true);
    expect(await db.prisma.user.count()).toBe(before);
    expect(auditLines()).toEqual(expect.arrayContaining([expect.objectContaining({ event: 'sso.sign_in.failed', reason })]));
  });

  it('keeps a disabled account refused', async () => {
    const userId = await createUser(db.prisma, 'gone@corp.example', PASSWORD);
    await db.prisma.user.update({ where: { id: userId }, data: { disabledAt: new Date() } });
    idp.accounts.set('gone-sub', { email: 'gone@corp.example', email_verified: true });
    const { page } = await freshPage();
    await startAtOurSignIn(page);
    await page.getByRole('button', { name: `Continue with ${LABEL}` }).click();
    await signInAtIdp(page, 'gone-sub');
    await page.getByRole('heading', { name: 'This account is disabled' }).waitFor();
  });

  it.each([
    ['another issuer', (claims: Record<string, unknown>) => ({ ...claims, iss: 'https://evil.example' }), false, 'wrong_issuer'],
    ['another audience', (claims: Record<string, unknown>) => ({ ...claims, aud: 'someone-else' }), false, 'wrong_audience'],
    ['a wrong nonce', (claims: Record<string, unknown>) => ({ ...claims, nonce: 'not-the-one-we-sent' }), false, 'wrong_nonce'],
    ['an expired ID token', (claims: Record<string, unknown>) => ({ ...claims, iat: Math.floor(Date.now() / 1000) - 7200, exp: Math.floor(Date.now() / 1000) - 3600 }), false, 'expired_id_token'],
    ['a signature by another key', (claims: Record<string, unknown>) => claims, true, 'bad_signature'],
  ] as const)('refuses an ID token with %s (re-signed by the real IdP response path)', async (_name, rewrite, foreignKey, reason) => {
    idp.accounts.set(`tamper-${reason}`, { email: `tamper-${reason}@corp.example`, email_verified: true });
    idp.rewriteIdToken(rewrite, { foreignKey });
    const { page } = await freshPage();
    await startAtOurSignIn(page);
    await page.getByRole('button', { name: `Continue with ${LABEL}` }).click();
    await signInAtIdp(page, `tamper-${reason}`);
    await page.getByRole('heading', { name: 'We could not verify your sign-in' }).waitFor();
    expect(await page.getByText(`Error code: ${reason}`).isVisible()).toBe(true);
    expect(await userByEmail(`tamper-${reason}@corp.example`)).toBeNull();
  });

  it('a user who cancels at the IdP gets a page with the way back to the same sign-in', async () => {
    const { page } = await freshPage();
    await startAtOurSignIn(page);
    await page.getByRole('button', { name: `Continue with ${LABEL}` }).click();
    await page.waitForURL((url) => url.origin === idp.issuer);
    await page.getByRole('link', { name: '[ Cancel ]' }).click();
    await page.getByRole('heading', { name: 'Sign-in cancelled' }).waitFor();
    expect(await page.getByRole('alert').innerText()).toContain(`You cancelled the sign-in at ${LABEL}`);
    await page.getByRole('link', { name: 'Back to sign-in' }).click();
    await page.getByRole('button', { name: `Continue with ${LABEL}` }).waitFor();
  });

  it('an unreachable or hung IdP gives a page within the timeout, never a 500', async () => {
    const silent: Server = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      for (const issuer of ['http://127.0.0.1:1', `http://127.0.0.1:${(silent.address() as { port: number }).port}`]) {
        await db.prisma.identityProvider.update({ where: { slug: 'corp' }, data: { issuer } });
        const { page } = await freshPage();
        await startAtOurSignIn(page);
        const started = Date.now();
        await page.getByRole('button', { name: `Continue with ${LABEL}` }).click();
        await page.getByRole('heading', { name: 'The identity provider is not answering' }).waitFor();
        expect(Date.now() - started).toBeLessThan(5000);
      }
    } finally {
      silent.close();
    }
  });

  it('refuses a forged or foreign callback: bad state, no cookie for it, and an error without state', async () => {
    const forged = 'A'.repeat(43);
    for (const query of [`code=abc&state=${forged}`, 'code=abc&state=short', 'code=abc', 'error=access_denied']) {
      const response = await fetch(`${server.issuer}/sso/corp/callback?${query}`);
      expect(response.status).toBe(400);
      const body = await response.text();
      expect(body).toContain('This sign-in link is not valid');
      expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
    }
    // A start without the page's CSRF token is refused before anything reaches the IdP.
    const browserLike = new TestBrowser(server.issuer);
    const pending = await (await chatgptClient(server.issuer, RESOURCE)).authorization('files:read');
    const signInPage = await browserLike.follow(pending.url.href);
    const uid = /\/interaction\/([^/"]+)\/sso\/corp/.exec(signInPage.body)?.[1];
    expect(uid).toBeTruthy();
    const noToken = await browserLike.request(`/interaction/${uid}/sso/corp`, { form: { csrf: 'wrong' } });
    expect(noToken.status).toBe(400);
    const good = await browserLike.request(`/interaction/${uid}/sso/corp`, { form: { csrf: csrfFrom(signInPage.body) } });
    expect(good.status).toBe(303);
    expect(good.location?.startsWith(`${idp.issuer}/auth?`)).toBe(true);
    const sent = new URL(good.location as string);
    expect(sent.searchParams.get('code_challenge_method')).toBe('S256');
    expect(sent.searchParams.get('nonce')).toBeTruthy();
    expect(sent.searchParams.get('redirect_uri')).toBe(`${server.issuer}/sso/corp/callback`);
    // That browser's state, presented from another browser (no cookie), is refused.
    const elsewhere = await fetch(`${server.issuer}/sso/corp/callback?code=abc&state=${sent.searchParams.get('state')}`);
    expect(elsewhere.status).toBe(400);
  });

  it('fits a 360 px phone: the IdP button is full width, tall enough, and the page does not scroll sideways', async () => {
    const { page, violations } = await freshPage(PHONE);
    await startAtOurSignIn(page);
    const button = page.getByRole('button', { name: `Continue with ${LABEL}` });
    const box = await button.boundingBox();
    expect(box?.height).toBeGreaterThanOrEqual(44);
    const { scrollWidth, clientWidth } = await page.evaluate<{ scrollWidth: number; clientWidth: number }>(
      '({ scrollWidth: document.documentElement.scrollWidth, clientWidth: document.documentElement.clientWidth })',
    );
    expect(scrollWidth).toBeLessThanOrEqual(clientWidth);
    // The IdP button comes before the email field and the password form in the page (and tab) order.
    const controls = await page.evaluate<string[]>("[...document.querySelectorAll('main button, main input:not([type=hidden])')].filter((node) => node.offsetParent !== null).map((node) => node.textContent || node.name)");
    expect(controls.slice(0, 3)).toEqual([`Continue with ${LABEL}`, 'email', 'password']);
    expect(violations).toEqual([]);
  });

  it('signs in on /account through the IdP too', async () => {
    idp.accounts.set('acct-sub', { email: 'acct@corp.example', email_verified: true });
    const { page } = await freshPage();
    await page.goto(`${server.issuer}/account`);
    await page.getByRole('button', { name: `Continue with ${LABEL}` }).click();
    await signInAtIdp(page, 'acct-sub');
    await page.getByRole('heading', { name: 'Your account' }).waitFor();
    expect(await page.locator('main').innerText()).toContain('Signed in as acct@corp.example');
    const methods = await page.locator('ul.methods').innerText();
    expect(methods).not.toContain('Email and password');
    expect(methods).toContain(LABEL);
  });

  it('PASSWORD_SIGN_IN=false hides the password form and refuses a posted password', async () => {
    await createUser(db.prisma, 'pw@corp.example', PASSWORD);
    const ssoOnly = await startAuthServer({ prisma: db.prisma, resourceUrl: RESOURCE, env: { PASSWORD_SIGN_IN: 'false' } });
    try {
      const { page } = await freshPage();
      const pending = await (await chatgptClient(ssoOnly.issuer, RESOURCE)).authorization('files:read');
      await page.goto(pending.url.href);
      await page.getByRole('button', { name: `Continue with ${LABEL}` }).waitFor();
      expect(await page.getByLabel('Password', { exact: true }).count()).toBe(0);

      const http = new TestBrowser(ssoOnly.issuer);
      const signInPage = await http.follow((await (await chatgptClient(ssoOnly.issuer, RESOURCE)).authorization('files:read')).url.href);
      const uid = /\/interaction\/([^/"]+)\/sso\/corp/.exec(signInPage.body)?.[1];
      const posted = await http.request(`/interaction/${uid}/login`, { form: { csrf: csrfFrom(signInPage.body), email: 'pw@corp.example', password: PASSWORD } });
      expect(posted.status).toBe(403);
      expect(posted.body).toContain('Signing in with a password is turned off here');
      const account = await http.request('/account');
      const accountPost = await http.request('/account/login', { form: { csrf: csrfFrom(account.body), email: 'pw@corp.example', password: PASSWORD } });
      expect(accountPost.status).toBe(403);

      // The password flow itself is untouched on the default server.
      const { page: other, redirects } = await freshPage();
      await startAtOurSignIn(other);
      await signIn(other, 'pw@corp.example', PASSWORD);
      await other.getByRole('button', { name: 'Allow' }).click();
      await capturedRedirect(other, redirects);
    } finally {
      await ssoOnly.close();
    }
  });
});
