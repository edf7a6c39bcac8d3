// Plain-HTTP checks of the login experience's refusals and limits (no browser needed): kept beside
// the browser tests because they cover the same pages.
import { createPostgresStore } from '@omnichat/limits';
import { createTestDatabase, type TestDatabase } from '@omnichat/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { TestBrowser, csrfFrom } from '@omnichat/testkit';
import { createUser, startAuthServer, type RunningAuthServer } from '../helpers/auth-server.js';
import { chatgptClient } from '@omnichat/testkit/chromium';

const RESOURCE = 'http://127.0.0.1:3999/mcp';
const EMAIL = 'sam@example.com';
const PASSWORD = 'the right password';

describe('sign-in, consent and account forms over plain HTTP', () => {
  let db: TestDatabase;
  let server: RunningAuthServer;
  /** The limit store's clock runs this far ahead of the wall clock: advanced, never slept on. */
  let offsetMs = 0;

  beforeAll(async () => {
    db = await createTestDatabase();
    server = await startAuthServer({
      prisma: db.prisma,
      resourceUrl: RESOURCE,
      env: { LIMIT_LOGIN_PER_ACCOUNT: '3/60', LIMIT_LOGIN_PER_IP: '1000/60' },
      deps: { limitStore: createPostgresStore(db.prisma, () => Date.now() + offsetMs) },
    });
    await createUser(db.prisma, EMAIL, PASSWORD);
  });

  afterAll(async () => {
    await server?.close();
    await db?.drop();
  });

  async function signInPage(browser: TestBrowser) {
    const pending = await (await chatgptClient(server.issuer, RESOURCE)).authorization('files:read');
    const page = await browser.follow(pending.url.href);
    expect(page.status).toBe(200);
    const action = /action="(\/interaction\/[^"]+\/login)"/.exec(page.body)?.[1] as string;
    return { page, action, csrf: csrfFrom(page.body) };
  }

  it('refuses an interaction form post without, or with a wrong, CSRF token (AS-56)', async () => {
    const browser = new TestBrowser(server.issuer);
    const { action, csrf } = await signInPage(browser);
    const forms: Array<Record<string, string>> = [{ email: EMAIL, password: PASSWORD }, { email: EMAIL, password: PASSWORD, csrf: `${csrf.slice(1)}x` }];
    for (const form of forms) {
      const refused = await browser.request(action, { form });
      expect(refused.status).toBe(400);
      expect(refused.body).toContain('invalid_request');
      expect(refused.body).not.toMatch(/at .*\.ts:\d+/);
    }
    const crossSite = await browser.request(action, { form: { csrf, email: EMAIL, password: PASSWORD }, headers: { origin: 'https://attacker.example' } });
    expect(crossSite.status).toBe(400);
    const nullOrigin = await browser.request(action, { form: { csrf, email: EMAIL, password: PASSWORD }, headers: { origin: 'null' } });
    expect(nullOrigin.status).toBe(400);
    // The same browser with the token is let through.
    expect((await browser.request(action, { form: { csrf, email: EMAIL, password: PASSWORD } })).status).toBe(303);
  });

  it('refuses account-page form posts without the CSRF token or its cookie', async () => {
    const browser = new TestBrowser(server.issuer);
    const page = await browser.follow('/account');
    expect(page.status).toBe(200);
    const csrf = csrfFrom(page.body);
    expect((await browser.request('/account/login', { form: { email: EMAIL, password: PASSWORD } })).status).toBe(400);
    const stranger = new TestBrowser(server.issuer);
    expect((await stranger.request('/account/login', { form: { csrf, email: EMAIL, password: PASSWORD } })).status).toBe(400);
    expect((await browser.request('/account/revoke', { form: { client_id: 'x' } })).status).toBe(400);
    expect((await browser.request('/account/logout', { form: { signout: '1' } })).status).toBe(400);
    const signedIn = await browser.request('/account/login', { form: { csrf, email: EMAIL, password: PASSWORD } });
    expect(signedIn.status).toBe(303);
    expect(signedIn.location).toBe(`${server.issuer}/account`);
  });

  it('throttles sign-in after 3 wrong passwords with "try again in N seconds", then lifts after the window (AS-53)', async () => {
    const browser = new TestBrowser(server.issuer);
    const { action } = await signInPage(browser);
    let body = '';
    for (let attempt = 1; attempt <= 3; attempt += 1) {
      const page = await browser.request(action, { form: { csrf: csrfFrom(body || (await browser.follow(action.replace(/\/login$/, ''))).body), email: 'Sam@Example.com', password: `wrong ${attempt}` } });
      expect(page.status).toBe(401);
      expect(page.body).toContain('That email and password do not match an account.');
      body = page.body;
    }
    const throttled = await browser.request(action, { form: { csrf: csrfFrom(body), email: EMAIL, password: PASSWORD } });
    expect(throttled.status).toBe(429);
    expect(Number(throttled.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(throttled.body).toMatch(/Too many sign-in attempts\. Try again in \d+ seconds?\./);

    offsetMs += 61_000;
    const lifted = await browser.request(action, { form: { csrf: csrfFrom(throttled.body), email: EMAIL, password: PASSWORD } });
    expect(lifted.status).toBe(303);
  });

  it('shows friendly error pages, never redirecting a bad redirect_uri and never a stack (AS-01, AS-72)', async () => {
    const client = await chatgptClient(server.issuer, RESOURCE);
    const pending = await client.authorization('files:read');
    const badRedirect = new URL(pending.url);
    badRedirect.searchParams.set('redirect_uri', 'https://evil.example/cb');
    const browser = new TestBrowser(server.issuer);
    const cases: Array<[string, string, string]> = [
      [badRedirect.href, 'This link is not safe to follow', 'invalid_redirect_uri'],
      [`${server.issuer}/auth?client_id=nope&response_type=code&redirect_uri=https%3A%2F%2Fevil.example`, 'We do not know this app', 'invalid_client'],
      [`${server.issuer}/interaction/expired-or-forged`, 'This sign-in link has expired', 'interaction session id cookie not found'],
    ];
    for (const [url, title, code] of cases) {
      const page = await browser.request(url);
      expect(page.status).toBe(400);
      expect(page.location).toBeUndefined();
      expect(page.body).toContain(title);
      expect(page.body).toContain(code);
      expect(page.body).not.toContain('<script');
      expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    }
  });

  it('sets the session cookie HttpOnly and SameSite=Lax (Secure is added for https issuers)', async () => {
    const browser = new TestBrowser(server.issuer);
    const page = await browser.follow('/account');
    const signedIn = await browser.request('/account/login', { form: { csrf: csrfFrom(page.body), email: EMAIL, password: PASSWORD } });
    const session = signedIn.headers.getSetCookie().find((cookie) => cookie.startsWith('_session='));
    expect(session).toMatch(/httponly/i);
    expect(session).toMatch(/samesite=lax/i);
    expect(session).not.toMatch(/secure/i);
  });
});
