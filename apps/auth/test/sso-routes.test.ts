// The SSO routes' refusals over plain HTTP (no browser needed): rate limit on callbacks, the finish
// step without a verified sign-in, an unknown provider, a start without CSRF, and the settings.
import { createTestDatabase, type TestDatabase } from '@omnichat/db/testing';
import { addIdentityProvider, parseIdpSettings } from '@omnichat/sso';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { loadAuthConfig } from '../src/index.js';
import { logSafeUrl } from '../src/http/log-safe-url.js';
import { startAuthServer, TEST_KEY_ENCRYPTION_SECRET, type RunningAuthServer } from './helpers/auth-server.js';
import { TestBrowser, csrfFrom, registerClient, CHATGPT_REDIRECT_URI } from '@omnichat/testkit';

const RESOURCE = 'http://127.0.0.1:3999/mcp';

describe('SSO routes: what they refuse', () => {
  let db: TestDatabase;
  let server: RunningAuthServer;

  beforeAll(async () => {
    db = await createTestDatabase();
    server = await startAuthServer({ prisma: db.prisma, resourceUrl: RESOURCE });
    // Discovery is never reached by these tests: the issuer is a closed port.
    await addIdentityProvider(db.prisma, parseIdpSettings({ slug: 'corp', issuer: 'http://127.0.0.1:1', clientId: 'x', label: 'Corp' }, { production: false }), 'secret', TEST_KEY_ENCRYPTION_SECRET);
  });
  afterAll(async () => {
    await server?.close();
    await db?.drop();
  });

  async function signInPage() {
    const config = await registerClient(server.issuer, { redirect_uris: [CHATGPT_REDIRECT_URI], token_endpoint_auth_method: 'none' });
    const url = new URL(`${server.issuer}/auth`);
    url.search = new URLSearchParams({
      client_id: config.clientMetadata().client_id,
      response_type: 'code',
      redirect_uri: CHATGPT_REDIRECT_URI,
      scope: 'files:read',
      resource: RESOURCE,
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      code_challenge_method: 'S256',
      state: 'client-state',
    }).toString();
    const browser = new TestBrowser(server.issuer);
    const page = await browser.follow(url.href);
    const uid = /\/interaction\/([^/"]+)\/sso\/corp/.exec(page.body)?.[1] as string;
    return { browser, page, uid };
  }

  it('the sign-in page offers the provider; the finish step without a verified sign-in is a page, not a 500', async () => {
    const { browser, page, uid } = await signInPage();
    expect(page.body).toContain('Continue with Corp');
    const finish = await browser.request(`/interaction/${uid}/sso`);
    expect(finish.status).toBe(400);
    expect(finish.body).toContain('This sign-in link is not valid');
    expect(finish.body).toContain(`href="/interaction/${uid}"`);
  });

  it('an unknown provider and an unreachable one each get their page; a start without the CSRF token is refused', async () => {
    const { browser, page, uid } = await signInPage();
    const csrf = csrfFrom(page.body);
    const unknown = await browser.request(`/interaction/${uid}/sso/nope`, { form: { csrf } });
    expect(unknown.status).toBe(404);
    expect(unknown.body).toContain('This sign-in option is gone');
    const unreachable = await browser.request(`/interaction/${uid}/sso/corp`, { form: { csrf } });
    expect(unreachable.status).toBe(504);
    expect(unreachable.body).toContain('The identity provider is not answering');
    expect(unreachable.body).toContain(`href="/interaction/${uid}"`);
    const noCsrf = await browser.request(`/interaction/${uid}/sso/corp`, { form: { csrf: '' } });
    expect(noCsrf.status).toBe(400);
    const account = await fetch(`${server.issuer}/account/sso/corp`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'csrf=forged' });
    expect(account.status).toBe(400);
    const crossSite = await browser.request(`/interaction/${uid}/sso/corp`, { form: { csrf }, headers: { origin: 'https://evil.example' } });
    expect(crossSite.status).toBe(400);
  });

  it('rate-limits callbacks per IP like sign-ins: failures earn a hold, then 429 with Retry-After', async () => {
    // Its own database, so the other tests' refusals do not count against this IP.
    const own = await createTestDatabase();
    const limited = await startAuthServer({ prisma: own.prisma, resourceUrl: RESOURCE, env: { LIMIT_LOGIN_PER_IP: '3/900' } });
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let attempt = 0; attempt < 6; attempt += 1) {
      const response = await fetch(`${limited.issuer}/sso/corp/callback?code=x&state=${'B'.repeat(43)}`);
      statuses.push(response.status);
      if (response.status === 429) retryAfter = response.headers.get('retry-after');
    }
    await limited.close();
    await own.drop();
    expect(statuses.slice(0, 3)).toEqual([400, 400, 400]);
    expect(statuses.at(-1)).toBe(429);
    expect(Number(retryAfter)).toBeGreaterThan(0);
  });

  it('PASSWORD_SIGN_IN and SSO_TIMEOUT_SECONDS are checked at boot', () => {
    expect(() => loadAuthConfig({ PASSWORD_SIGN_IN: 'no' })).toThrow(/PASSWORD_SIGN_IN/);
    expect(() => loadAuthConfig({ SSO_TIMEOUT_SECONDS: '0' })).toThrow(/SSO_TIMEOUT_SECONDS/);
    expect(loadAuthConfig({ PASSWORD_SIGN_IN: 'false' }).passwordSignIn).toBe(false);
    expect(loadAuthConfig({}).sso.timeoutSeconds).toBe(10);
  });

  it('the access log never shows the callback query (the IdP code and our state)', () => {
    expect(logSafeUrl('/sso/corp/callback?code=secret&state=s')).toBe('/sso/corp/callback?[redacted]');
    expect(logSafeUrl('/sso/corp/callback')).toBe('/sso/corp/callback');
    expect(logSafeUrl('/auth?client_id=x')).toBe('/auth?client_id=x');
  });
});
