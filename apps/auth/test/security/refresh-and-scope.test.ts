import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';

import { TestBrowser, csrfFrom, authorizeInBrowser, RU, authz, codeFor, pkce, publicClient, register, token, tokensFor, type Json } from '@omnichat/testkit';
import { authSuite } from './helpers/suite.js';

// docs/security.md, cases of refresh tokens and of resource indicators, scope and consent. AS-27/28 are
// in single-use.test.ts, AS-30/31/34/38 in ../refusals.test.ts.
const RESOURCE = 'http://127.0.0.1:3991/mcp';
const USER = { email: 'refresh@example.com', password: 'a long and unguessable password' };
const DAY = 24 * 3600 * 1000;

const suite = authSuite(RESOURCE, USER);

const refresh = (clientId: string, refreshToken: string, extra: Record<string, string> = {}) =>
  token(suite.base, { grant_type: 'refresh_token', refresh_token: refreshToken, client_id: clientId, ...extra });

async function redirectParams(url: string, browser = new TestBrowser(suite.base)): Promise<Record<string, string>> {
  const result = await browser.follow(url);
  expect(result.status).toBe(303);
  const location = new URL(result.location as string);
  expect(`${location.origin}${location.pathname}`).toBe(RU);
  return Object.fromEntries(location.searchParams);
}

describe('A.5 refresh tokens', () => {
  it('AS-26 rotation happens for public and confidential clients: a new token, the same scope', async () => {
    const publicId = await publicClient(suite.base);
    const confidential = await register(suite.base, { token_endpoint_auth_method: 'client_secret_post' });
    const secret = { client_secret: confidential.body.client_secret as string };
    const confidentialId = confidential.body.client_id as string;

    const p = await pkce();
    const code = await codeFor(suite.base, confidentialId, p, RESOURCE, USER);
    const first = await token(suite.base, { grant_type: 'authorization_code', code, redirect_uri: RU, code_verifier: p.verifier, client_id: confidentialId, ...secret });
    for (const [clientId, issued, extra] of [
      [publicId, await tokensFor(suite.base, publicId, RESOURCE, USER), {}],
      [confidentialId, first.body, secret],
    ] as Array<[string, Json, Record<string, string>]>) {
      const rotated = await refresh(clientId, issued.refresh_token as string, extra);
      expect(rotated.status).toBe(200);
      expect(rotated.body.refresh_token).toEqual(expect.any(String));
      expect(rotated.body.refresh_token).not.toBe(issued.refresh_token);
      expect(decodeJwt(rotated.body.access_token as string).scope).toBe('files:read');
    }
  });

  it('AS-29 a refresh token issued to client A and presented by client B: invalid_grant, and A keeps it', async () => {
    const a = await publicClient(suite.base);
    const b = await publicClient(suite.base);
    const issued = await tokensFor(suite.base, a, RESOURCE, USER);
    expect(await refresh(b, issued.refresh_token as string)).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    expect((await refresh(a, issued.refresh_token as string)).status).toBe(200);
  });

  it('AS-32 a client registered without refresh_token gets none', async () => {
    const registered = await register(suite.base, { grant_types: ['authorization_code'] });
    expect(registered.status).toBe(201);
    const tokens = await tokensFor(suite.base, registered.body.client_id as string, RESOURCE, USER);
    expect(tokens.access_token).toEqual(expect.any(String));
    expect(tokens).not.toHaveProperty('refresh_token');
  });

  it('AS-32 an unused refresh token dies after REFRESH_TOKEN_TTL_SECONDS (30 days idle)', async () => {
    const clientId = await publicClient(suite.base);
    const issued = await tokensFor(suite.base, clientId, RESOURCE, USER);
    await suite.shifted(31 * DAY, async () => {
      expect(await refresh(clientId, issued.refresh_token as string)).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    });
  });

  it('AS-32 absolute cap: a grant refreshed every 25 days still ends 365 days after consent', async () => {
    const clientId = await publicClient(suite.base);
    let rt = (await tokensFor(suite.base, clientId, RESOURCE, USER)).refresh_token as string;
    await suite.shifted(0, async (advance) => {
      for (let day = 25; day < 365; day += 25) {
        advance(25 * DAY);
        const next = await refresh(clientId, rt);
        expect(next.status, `day ${day}`).toBe(200);
        rt = next.body.refresh_token as string;
      }
      advance(25 * DAY); // day 375: the grant (TTL 365 days) is gone, the 25-day-old token with it
      expect(await refresh(clientId, rt)).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    });
  });

  it('AS-32 a refresh token outlives the browser session it was issued in (sign-out, session expiry, password reset)', async () => {
    const clientId = await publicClient(suite.base);
    const issued = await tokensFor(suite.base, clientId, RESOURCE, USER);
    // Every way a session ends (sign-out, the 14-day session TTL, an admin password reset) deletes it.
    await suite.db.prisma.oidcPayload.deleteMany({ where: { model: 'Session' } });
    expect((await refresh(clientId, issued.refresh_token as string)).status).toBe(200);
  });

  it('AS-33 "disconnect" on the account page: every refresh token of that account and client stops at once', async () => {
    const clientId = await publicClient(suite.base);
    const kept = await publicClient(suite.base);
    const first = await tokensFor(suite.base, clientId, RESOURCE, USER);
    const second = await tokensFor(suite.base, clientId, RESOURCE, USER);
    const other = await tokensFor(suite.base, kept, RESOURCE, USER);

    const browser = new TestBrowser(suite.base);
    const signInPage = await browser.request('/account');
    await browser.request('/account/login', { form: { csrf: csrfFrom(signInPage.body), email: USER.email, password: USER.password } });
    const account = await browser.request('/account');
    expect(account.body).toContain(clientId);
    const revoked = await browser.request('/account/revoke', { form: { csrf: csrfFrom(account.body), client_id: clientId } });
    expect(revoked.status).toBe(303);

    for (const issued of [first, second]) {
      expect(await refresh(clientId, issued.refresh_token as string)).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    }
    expect((await refresh(kept, other.refresh_token as string)).status).toBe(200);
  });
});

describe('A.6 resource indicators, scope, consent', () => {
  it('AS-35 canonical-URI variants: a trailing slash binds to the canonical aud exactly; other spellings are invalid_target', async () => {
    const clientId = await publicClient(suite.base);
    const p = await pkce();
    const browser = new TestBrowser(suite.base);
    const result = await authorizeInBrowser(browser, authz(suite.base, clientId, p, `${RESOURCE}/`), USER);
    const code = new URL(result.location as string).searchParams.get('code') as string;
    const tokens = await token(suite.base, { grant_type: 'authorization_code', code, redirect_uri: RU, code_verifier: p.verifier, client_id: clientId, resource: `${RESOURCE}/` });
    expect(decodeJwt(tokens.body.access_token as string).aud).toBe(RESOURCE);

    for (const variant of [RESOURCE.toUpperCase(), RESOURCE.replace('/mcp', '/MCP'), `${RESOURCE}#f`, `${RESOURCE}?x=1`, new URL(RESOURCE).host, `${RESOURCE}//`]) {
      expect(await redirectParams(authz(suite.base, clientId, await pkce(), variant)), variant).toMatchObject({ error: 'invalid_target', iss: suite.base });
    }
  });

  it('AS-36 a DCR scope limits resource scopes too: a client registered for files:read never gets ssh:execute', async () => {
    const registered = await register(suite.base, { scope: 'files:read' });
    const clientId = registered.body.client_id as string;
    const p = await pkce();
    const browser = new TestBrowser(suite.base);
    const result = await authorizeInBrowser(browser, authz(suite.base, clientId, p, RESOURCE, { scope: 'files:read ssh:execute' }), USER);
    const params = Object.fromEntries(new URL(result.location as string).searchParams);
    if (params.error) {
      expect(params.error).toBe('invalid_scope');
      return;
    }
    const tokens = await token(suite.base, { grant_type: 'authorization_code', code: params.code as string, redirect_uri: RU, code_verifier: p.verifier, client_id: clientId });
    // Policy: the scope outside the client's registration is dropped, the rest is asked and granted.
    expect(decodeJwt(tokens.body.access_token as string).scope).toBe('files:read');
  });

  it('AS-37 consent covers what was asked, no more: a later prompt=none for a new scope is consent_required', async () => {
    const clientId = await publicClient(suite.base);
    const browser = new TestBrowser(suite.base);
    const p = await pkce();
    const granted = await authorizeInBrowser(browser, authz(suite.base, clientId, p, RESOURCE, { scope: 'files:read files:write' }), USER);
    const code = new URL(granted.location as string).searchParams.get('code') as string;
    const tokens = await token(suite.base, { grant_type: 'authorization_code', code, redirect_uri: RU, code_verifier: p.verifier, client_id: clientId });
    expect(decodeJwt(tokens.body.access_token as string).scope).toBe('files:read files:write');

    const silent = await redirectParams(authz(suite.base, clientId, await pkce(), RESOURCE, { scope: 'ssh:execute', prompt: 'none' }), browser);
    expect(silent).toMatchObject({ error: 'consent_required', iss: suite.base });
    expect(silent).not.toHaveProperty('code');
    // What was granted still passes silently.
    expect(await redirectParams(authz(suite.base, clientId, await pkce(), RESOURCE, { scope: 'files:read', prompt: 'none' }), browser)).toHaveProperty('code');
  });
});
