// omnichat_sign_ins_total with a second factor: a right password alone is no sign-in yet; the
// sign-in counts as succeeded once the code is given, and a wrong or throttled code counts as a
// failure. Real flows over HTTP, scraped from the real metrics listener.
import { createTestDatabase, type TestDatabase } from '@omnichat/db/testing';
import { createAuthMetrics, startMetricsServer, type MetricsServer } from '@omnichat/metrics';
import { sampleValue } from '@omnichat/metrics/testing';
import { Secret, TOTP } from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { beginTotpSetup, verifyTotp } from '../src/mfa/totp.js';
import { TestBrowser, csrfFrom } from '@omnichat/testkit';
import { createUser, startAuthServer, TEST_KEY_ENCRYPTION_SECRET, type RunningAuthServer } from './helpers/auth-server.js';
import { chatgptClient } from '@omnichat/testkit/chromium';

const RESOURCE = 'http://127.0.0.1:3995/mcp';
const PASSWORD = 'a long password for mfa metrics';
const TOTP_USER = 'mfa-metrics@example.com';
const PLAIN_USER = 'plain-metrics@example.com';

let db: TestDatabase;
let listener: MetricsServer;
let server: RunningAuthServer;
let secret = '';

const signIns = async (outcome: string) => sampleValue(await (await fetch(listener.url)).text(), 'omnichat_sign_ins_total', { app: 'auth', outcome });
const codeFor = (steps: number) => TOTP.generate({ secret: Secret.fromBase32(secret), timestamp: Date.now() + steps * 30_000 });

beforeAll(async () => {
  db = await createTestDatabase();
  const metrics = createAuthMetrics();
  listener = await startMetricsServer(metrics.registry, { host: '127.0.0.1', port: 0 });
  // Two free wrong codes per account, then a hold.
  server = await startAuthServer({ prisma: db.prisma, resourceUrl: RESOURCE, env: { MFA_REQUIRED: 'off', LIMIT_LOGIN_PER_ACCOUNT: '2/900' }, deps: { metrics } });
  const userId = await createUser(db.prisma, TOTP_USER, PASSWORD);
  await createUser(db.prisma, PLAIN_USER, PASSWORD);
  const setup = await beginTotpSetup(db.prisma, TEST_KEY_ENCRYPTION_SECRET, { id: userId, email: TOTP_USER }, 'OmniChat');
  secret = setup.secretBase32;
  expect(await verifyTotp(db.prisma, TEST_KEY_ENCRYPTION_SECRET, userId, codeFor(-1), { pending: true })).toBe('ok');
});

afterAll(async () => {
  await server?.close();
  await listener?.close();
  await db?.drop();
});

describe('sign-in metric with a second factor', () => {
  it('counts an authorization sign-in after its code, not after its password; a wrong code is a failure', async () => {
    const browser = new TestBrowser(server.issuer);
    const pending = await (await chatgptClient(server.issuer, RESOURCE)).authorization('files:read');
    const page = await browser.follow(pending.url.href);
    const action = /action="(\/interaction\/[^"]+\/login)"/.exec(page.body)?.[1] as string;
    const base = action.replace(/\/login$/, '');
    const csrf = csrfFrom(page.body);

    const afterPassword = await browser.request(action, { form: { csrf, email: TOTP_USER, password: PASSWORD } });
    expect(afterPassword.location).toBe(`${server.issuer}${base}/mfa`);
    expect(await signIns('succeeded')).toBe(0);

    expect((await browser.request(`${base}/mfa`, { form: { csrf, code: '000000' } })).status).toBe(401);
    expect(await signIns('bad_credentials')).toBe(1);
    expect(await signIns('succeeded')).toBe(0);

    const done = await browser.request(`${base}/mfa`, { form: { csrf, code: codeFor(0) } });
    expect(done.status).toBe(303);
    expect(await signIns('succeeded')).toBe(1);
  });

  it('on /account too; a throttled code counts as rate_limited; a password-only account counts at once', async () => {
    const browser = new TestBrowser(server.issuer);
    const csrf = csrfFrom((await browser.request('/account')).body);
    expect((await browser.request('/account/login', { form: { csrf, email: TOTP_USER, password: PASSWORD } })).location).toBe(`${server.issuer}/account/mfa`);
    expect(await signIns('succeeded')).toBe(1);
    // Two wrong codes, then the hold refuses even a right one.
    for (let attempt = 0; attempt < 2; attempt += 1) expect((await browser.request('/account/mfa', { form: { csrf, code: '000000' } })).status).toBe(401);
    expect((await browser.request('/account/mfa', { form: { csrf, code: codeFor(1) } })).status).toBe(429);
    expect(await signIns('bad_credentials')).toBe(3);
    expect(await signIns('rate_limited')).toBe(1);
    expect(await signIns('succeeded')).toBe(1);

    const plain = new TestBrowser(server.issuer);
    const plainCsrf = csrfFrom((await plain.request('/account')).body);
    expect((await plain.request('/account/login', { form: { csrf: plainCsrf, email: PLAIN_USER, password: PASSWORD } })).location).toBe(`${server.issuer}/account`);
    expect(await signIns('succeeded')).toBe(2);
  });
});
