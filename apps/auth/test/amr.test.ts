// The ID token says how the user signed in (`amr`, RFC 8176 values): real code flows over HTTP,
// each ID token decoded. The passkey sign-in's amr is checked in browser/passkeys.test.ts.
import { createTestDatabase, type TestDatabase } from '@omnichat/db/testing';
import { decodeJwt } from 'jose';
import { Secret, TOTP } from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { beginTotpSetup, verifyTotp } from '../src/mfa/totp.js';
import { TestBrowser, csrfFrom, formActions, type PageResult } from '@omnichat/testkit';
import { createUser, startAuthServer, TEST_KEY_ENCRYPTION_SECRET, type RunningAuthServer } from './helpers/auth-server.js';
import { chatgptClient, redeem } from '@omnichat/testkit/chromium';

const RESOURCE = 'http://127.0.0.1:3994/mcp';
const PASSWORD = 'a long password for amr tests';
const PLAIN = 'amr-plain@example.com';
const TOTP_USER = 'amr-totp@example.com';

let db: TestDatabase;
let server: RunningAuthServer;
let secret = '';
let step = 0;
/** A fresh step's code each time (a code is accepted once). */
const nextCode = () => TOTP.generate({ secret: Secret.fromBase32(secret), timestamp: Date.now() + (step += 1) * 30_000 - 30_000 });

beforeAll(async () => {
  db = await createTestDatabase();
  server = await startAuthServer({ prisma: db.prisma, resourceUrl: RESOURCE, env: { MFA_REQUIRED: 'off' } });
  await createUser(db.prisma, PLAIN, PASSWORD);
  const userId = await createUser(db.prisma, TOTP_USER, PASSWORD);
  secret = (await beginTotpSetup(db.prisma, TEST_KEY_ENCRYPTION_SECRET, { id: userId, email: TOTP_USER }, 'OmniChat')).secretBase32;
  expect(await verifyTotp(db.prisma, TEST_KEY_ENCRYPTION_SECRET, userId, TOTP.generate({ secret: Secret.fromBase32(secret), timestamp: Date.now() - 30_000 }), { pending: true })).toBe('ok');
});

afterAll(async () => {
  await server?.close();
  await db?.drop();
});

/** Posts the page's one form whose action ends with `suffix`, with its CSRF token and `fields`. */
async function submit(browser: TestBrowser, page: PageResult, suffix: string, fields: Record<string, string> = {}) {
  const action = formActions(page.body).find((candidate) => candidate.endsWith(suffix));
  expect(action, page.body.slice(0, 300)).toBeTruthy();
  return browser.follow(action as string, { form: { csrf: csrfFrom(page.body), ...fields } });
}

/** An authorization asking for `openid`, walked through sign-in (and the code when asked) and consent; the ID token's claims. */
async function idTokenClaims(browser: TestBrowser, signIn: (page: PageResult) => Promise<PageResult>) {
  const pending = await (await chatgptClient(server.issuer, RESOURCE)).authorization('openid files:read');
  let page = await signIn(await browser.follow(pending.url.href));
  page = await submit(browser, page, '/confirm');
  expect(page.status).toBe(303);
  const tokens = await redeem(server.issuer, pending, new URL(page.location as string), RESOURCE);
  expect(tokens.status).toBe(200);
  return decodeJwt(String(tokens.body.id_token));
}

const password = (browser: TestBrowser, email: string) => (page: PageResult) => submit(browser, page, '/login', { email, password: PASSWORD });

describe('amr in ID tokens', () => {
  it('a password alone: ["pwd"]', async () => {
    const browser = new TestBrowser(server.issuer);
    const claims = await idTokenClaims(browser, password(browser, PLAIN));
    expect(claims.amr).toEqual(['pwd']);
    const discovery = (await (await fetch(`${server.issuer}/.well-known/openid-configuration`)).json()) as { claims_supported: string[] };
    expect(discovery.claims_supported).toContain('amr');
  });

  it('a password and an authenticator-app code: ["pwd", "otp", "mfa"]', async () => {
    const browser = new TestBrowser(server.issuer);
    const claims = await idTokenClaims(browser, async (page) => {
      const challenge = await password(browser, TOTP_USER)(page);
      expect(challenge.body).toContain('Verify it is you');
      return submit(browser, challenge, '/mfa', { code: nextCode() });
    });
    expect(claims.amr).toEqual(['pwd', 'otp', 'mfa']);
  });

  it('a session signed in on /account with password and code carries its amr into the next authorization', async () => {
    const browser = new TestBrowser(server.issuer);
    const account = await browser.request('/account');
    const csrf = csrfFrom(account.body);
    const challenge = await browser.follow('/account/login', { form: { csrf, email: TOTP_USER, password: PASSWORD } });
    expect(challenge.body).toContain('Verify it is you');
    const signedIn = await browser.follow('/account/mfa', { form: { csrf, code: nextCode() } });
    expect(signedIn.body).toContain('Your account');
    // Already signed in: the authorization goes straight to consent.
    const claims = await idTokenClaims(browser, async (page) => page);
    expect(claims.amr).toEqual(['pwd', 'otp', 'mfa']);
  });
});
