// The account page's password sign-in is the same step as an authorization's
// (src/sign-in/password-sign-in.ts): the same refusal, backoff and audit trail.
import { createTestDatabase, type TestDatabase } from '@omnichat/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { TestBrowser, csrfFrom } from '@omnichat/testkit';
import { createUser, startAuthServer, type RunningAuthServer } from './helpers/auth-server.js';

const RESOURCE = 'http://127.0.0.1:3995/mcp';
const USER = { email: 'account-sign-in@example.com', password: 'a long password for the account page' };

describe('/account password sign-in', () => {
  let db: TestDatabase;
  let server: RunningAuthServer;
  let userId = '';
  const logs: string[] = [];
  const auditLines = () => logs.map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line.audit === true);

  beforeAll(async () => {
    db = await createTestDatabase();
    server = await startAuthServer({
      prisma: db.prisma,
      resourceUrl: RESOURCE,
      env: { LOG_LEVEL: 'info', LIMIT_LOGIN_PER_ACCOUNT: '1/900', MFA_REQUIRED: 'off' },
      deps: { logStream: { write: (line) => void logs.push(line) } },
    });
    userId = await createUser(db.prisma, USER.email, USER.password);
  });

  afterAll(async () => {
    await server?.close();
    await db?.drop();
  });

  const signIn = async (browser: TestBrowser, password: string) => {
    const page = await browser.request('/account');
    return browser.request('/account/login', { form: { csrf: csrfFrom(page.body), email: USER.email, password }, headers: { origin: server.issuer } });
  };

  it('audits a refused, a throttled and a successful sign-in as the interaction does, without a client', async () => {
    const browser = new TestBrowser(server.issuer);
    expect((await signIn(browser, 'wrong password')).status).toBe(401);
    expect(auditLines()).toEqual([expect.objectContaining({ event: 'sign_in.failed', reason: 'bad_credentials' })]);

    const held = await signIn(browser, USER.password);
    expect(held.status).toBe(429);
    expect(held.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(auditLines()[1]).toMatchObject({ event: 'sign_in.failed', reason: 'rate_limited' });

    await db.prisma.rateLimitCounter.deleteMany({});
    const done = await signIn(browser, USER.password);
    expect(done.status).toBe(303);
    expect(done.location).toBe(`${server.issuer}/account`);
    expect(auditLines()[2]).toMatchObject({ event: 'sign_in.succeeded', accountId: userId });
    expect(auditLines().every((line) => line.clientId === undefined && typeof line.reqId === 'string')).toBe(true);
  });
});
