// Plain-HTTP refusals of the second-factor steps (no browser needed): CSRF, skipping a step,
// wrong codes and their throttle.
import { createTestDatabase, type TestDatabase } from '@omnichat/db/testing';
import { Secret, TOTP } from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { beginTotpSetup, verifyTotp } from '../../src/mfa/totp.js';
import { TestBrowser, csrfFrom } from '@omnichat/testkit';
import { createUser, startAuthServer, TEST_KEY_ENCRYPTION_SECRET, type RunningAuthServer } from '../helpers/auth-server.js';
import { chatgptClient } from '@omnichat/testkit/chromium';

const RESOURCE = 'http://127.0.0.1:3999/mcp';
const PASSWORD = 'the right password';
const ADMIN = 'root@example.com';
const TOTP_USER = 'otp@example.com';

describe('second-factor forms over plain HTTP', () => {
  let db: TestDatabase;
  let server: RunningAuthServer;
  let adminId: string;
  let totpUserId: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    server = await startAuthServer({ prisma: db.prisma, resourceUrl: RESOURCE, env: { LIMIT_LOGIN_PER_ACCOUNT: '3/60', LIMIT_LOGIN_PER_IP: '1000/60' } });
    adminId = await createUser(db.prisma, ADMIN, PASSWORD);
    await db.prisma.user.update({ where: { id: adminId }, data: { isAdmin: true } });
    totpUserId = await createUser(db.prisma, TOTP_USER, PASSWORD);
    const setup = await beginTotpSetup(db.prisma, TEST_KEY_ENCRYPTION_SECRET, { id: totpUserId, email: TOTP_USER }, 'OmniChat');
    const code = TOTP.generate({ secret: Secret.fromBase32(setup.secretBase32) });
    expect(await verifyTotp(db.prisma, TEST_KEY_ENCRYPTION_SECRET, totpUserId, code, { pending: true })).toBe('ok');
  });

  afterAll(async () => {
    await server?.close();
    await db?.drop();
  });

  async function passwordStep(browser: TestBrowser, email: string) {
    const pending = await (await chatgptClient(server.issuer, RESOURCE)).authorization('files:read');
    const page = await browser.follow(pending.url.href);
    const action = /action="(\/interaction\/[^"]+\/login)"/.exec(page.body)?.[1] as string;
    const base = action.replace(/\/login$/, '');
    const csrf = csrfFrom(page.body);
    const after = await browser.request(action, { form: { csrf, email, password: PASSWORD } });
    return { base, csrf, after };
  }

  const sessionsOf = (accountId: string) => db.prisma.oidcPayload.count({ where: { model: 'Session', payload: { path: ['accountId'], equals: accountId } } });

  it('MFA_REQUIRED=admins: an admin password leads to set-up, and no step can be skipped', async () => {
    const browser = new TestBrowser(server.issuer);
    const { base, csrf, after } = await passwordStep(browser, ADMIN);
    expect(after.status).toBe(303);
    expect(after.location).toBe(`${server.issuer}${base}/mfa/setup`);
    // Continue without a confirmed factor: back to the start, still signed out.
    const skipped = await browser.request(`${base}/mfa/done`, { form: { csrf } });
    expect(skipped.status).toBe(303);
    expect(skipped.location).toBe(`${server.issuer}${base}`);
    // The challenge page for a user with no factor sends to set-up.
    expect((await browser.request(`${base}/mfa`)).location).toBe(`${server.issuer}${base}/mfa/setup`);
    // Without the CSRF token: refused; with a wrong code: refused.
    expect((await browser.request(`${base}/mfa/setup`, { form: { code: '123456' } })).status).toBe(400);
    const wrong = await browser.request(`${base}/mfa/setup`, { form: { csrf, code: 'abcdef' } });
    expect(wrong.status).toBe(401);
    expect(wrong.body).toContain('That code is not right');
    expect(await sessionsOf(adminId)).toBe(0);
    expect(await db.prisma.totpFactor.findUnique({ where: { userId: adminId } })).toMatchObject({ confirmedAt: null });
  });

  it('throttles wrong codes like passwords, and a step of another browser is not this one', async () => {
    const browser = new TestBrowser(server.issuer);
    const { base, csrf, after } = await passwordStep(browser, TOTP_USER);
    expect(after.location).toBe(`${server.issuer}${base}/mfa`);
    for (let attempt = 0; attempt < 3; attempt += 1) {
      expect((await browser.request(`${base}/mfa`, { form: { csrf, code: '000000' } })).status).toBe(401);
    }
    const throttled = await browser.request(`${base}/mfa`, { form: { csrf, code: '000000' } });
    expect(throttled.status).toBe(429);
    expect(Number(throttled.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(throttled.body).toContain('Too many sign-in attempts');

    // Another browser cannot use this interaction's step (its cookie is not there).
    const stranger = new TestBrowser(server.issuer);
    expect((await stranger.request(`${base}/mfa`, { form: { csrf, code: '000000' } })).status).toBe(400);
    expect(await sessionsOf(totpUserId)).toBe(0);
  });

  it('account pages: signed out, the factor routes lead back to /account; a forged post is refused', async () => {
    const browser = new TestBrowser(server.issuer);
    const account = await browser.request('/account');
    const csrf = csrfFrom(account.body);
    expect((await browser.request('/account/totp')).location).toBe(`${server.issuer}/account`);
    expect((await browser.request('/account/password')).location).toBe(`${server.issuer}/account`);
    expect((await browser.request('/account/mfa', { form: { csrf, code: '000000' } })).location).toBe(`${server.issuer}/account`);
    expect((await browser.request('/account/mfa/done', { form: { csrf } })).location).toBe(`${server.issuer}/account`);
    expect((await browser.request('/account/passkeys', { form: { csrf: 'forged', credential: '{}' } })).status).toBe(400);
    expect((await browser.request('/account/totp/remove', { form: { csrf }, headers: { origin: 'https://attacker.example' } })).status).toBe(400);
    // A passkey sign-in with a made-up credential: refused, back to the sign-in page with a message.
    const bogus = await browser.request('/account/passkey', { form: { csrf, challenge_id: 'nope', credential: '{"id":"x"}' } });
    expect(bogus.location).toBe(`${server.issuer}/account?passkey=failed`);
    const shown = await browser.request(bogus.location as string);
    expect(shown.status).toBe(401);
    expect(shown.body).toContain('That passkey could not be used to sign in');
  });
});
