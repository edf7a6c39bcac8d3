import { describe, expect, it } from 'vitest';

import { TestBrowser, authorizeInBrowser, RU, authz, codeFor, pkce, publicClient, register } from '@omnichat/testkit';
import { authSuite } from './helpers/suite.js';

// docs/security.md, cases of redirect URIs and open redirects. oidc-provider renders (never redirects) an
// error raised before the client and its redirect_uri are verified (RFC 9700 §4.11.2).
const RESOURCE = 'http://127.0.0.1:3995/mcp';
const USER = { email: 'redirect@example.com', password: 'a long and unguessable password' };

const suite = authSuite(RESOURCE, USER);

async function get(url: string) {
  const response = await fetch(url, { redirect: 'manual' });
  return { status: response.status, location: response.headers.get('location'), headers: response.headers, body: await response.text() };
}

/** RENDER(E): a 400 page naming the error, no Location header. */
function expectRendered(page: Awaited<ReturnType<typeof get>>, error: string) {
  expect(page.status).toBe(400);
  expect(page.location).toBeNull();
  expect(page.headers.get('content-type')).toContain('text/html');
  expect(page.body).toContain(error);
}

describe('A.1 redirect URI and open redirect', () => {
  it('AS-01 unregistered redirect_uri: rendered 400 invalid_redirect_uri, never redirected', async () => {
    const clientId = await publicClient(suite.base);
    expectRendered(await get(authz(suite.base, clientId, await pkce(), RESOURCE, { redirect_uri: 'https://evil.example/cb' })), 'invalid_redirect_uri');
  });

  it.each([
    `${RU}/`,
    'HTTPS://CHATGPT.COM/connector_platform_oauth_redirect',
    `${RU}?x=1`,
    `${RU}#f`,
    `${RU}/../x`,
    'https://chatgpt.com:443/connector_platform_oauth_redirect',
    'https://chatgpt.com@evil.example/connector_platform_oauth_redirect',
    'http://chatgpt.com/connector_platform_oauth_redirect',
    'https://chatgpt.com/connector_platform_oauth_redirect%2F',
    'https://chatgpt.com%2Fconnector_platform_oauth_redirect',
  ])('AS-02 near-miss redirect_uri %s is rendered 400 invalid_redirect_uri (exact match)', async (redirectUri) => {
    const clientId = await publicClient(suite.base);
    expectRendered(await get(authz(suite.base, clientId, await pkce(), RESOURCE, { redirect_uri: redirectUri })), 'invalid_redirect_uri');
  });

  it('AS-02 a loopback URI registered with a port matches only that port (RFC 8252 §7.3 relaxes port-less ones; loopback-redirect.test.ts)', async () => {
    const web = await register(suite.base, { redirect_uris: ['http://127.0.0.1:9999/cb'] });
    expect(web.status).toBe(201);
    const other = await get(authz(suite.base, web.body.client_id as string, await pkce(), RESOURCE, { redirect_uri: 'http://127.0.0.1:9998/cb' }));
    expectRendered(other, 'invalid_redirect_uri');
  });

  it('AS-03 errors raised before the client or redirect is verified are rendered without Location', async () => {
    const p = await pkce();
    expectRendered(await get(authz(suite.base, 'nope', p, RESOURCE, { redirect_uri: 'https://evil.example' })), 'invalid_client');
    const clientId = await publicClient(suite.base);
    expectRendered(await get(authz(suite.base, clientId, p, RESOURCE, { redirect_uri: 'https://evil.example', scope: '\u0000' })), 'invalid_redirect_uri');
  });

  it('AS-04 our pages take no redirect parameter: return_to and next are ignored, /session/end refuses a foreign URI', async () => {
    const clientId = await publicClient(suite.base);
    const browser = new TestBrowser(suite.base);
    const login = await browser.follow(authz(suite.base, clientId, await pkce(), RESOURCE));
    const uid = /interaction\/([^/"]+)\/login/.exec(login.body)?.[1] as string;
    const withReturnTo = await browser.request(`/interaction/${uid}?return_to=https://evil.example`);
    expect(withReturnTo.status).toBe(200);
    expect(withReturnTo.location).toBeUndefined();
    expect(withReturnTo.body).not.toContain('evil.example');

    for (const path of ['/login?next=//evil.example', '/account?next=//evil.example', '/account?done=//evil.example']) {
      const page = await get(`${suite.base}${path}`);
      expect(page.location ?? '').not.toContain('evil.example');
      expect(page.body).not.toContain('evil.example');
    }

    const logout = await get(`${suite.base}/session/end?${new URLSearchParams({ post_logout_redirect_uri: 'https://evil.example', client_id: clientId })}`);
    expect(logout.status).toBe(400);
    expect(logout.location).toBeNull();
    expect(logout.body).toContain('post_logout_redirect_uri not registered');
  });

  it('AS-05 parameter pollution: a duplicate redirect_uri is refused, redirected only to the one registered URI', async () => {
    const clientId = await publicClient(suite.base);
    const page = await get(`${authz(suite.base, clientId, await pkce(), RESOURCE)}&redirect_uri=${encodeURIComponent('https://evil.example')}`);
    expect(page.status).toBe(303);
    const location = new URL(page.location as string);
    expect(`${location.origin}${location.pathname}`).toBe(RU);
    expect(Object.fromEntries(location.searchParams)).toMatchObject({
      error: 'invalid_request', error_description: "'redirect_uri' parameter must not be provided twice", state: 's1', iss: suite.base,
    });
    expect(location.searchParams.has('code')).toBe(false);
  });

  it('AS-06 PAR refuses an unregistered redirect_uri, and a request_uri works only once', async () => {
    const confidential = await register(suite.base, { token_endpoint_auth_method: 'client_secret_basic' });
    const clientId = confidential.body.client_id as string;
    const basic = `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(confidential.body.client_secret as string)}`).toString('base64')}`;
    const p = await pkce();
    const par = (redirectUri: string) => fetch(`${suite.base}/request`, {
      method: 'POST',
      headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ client_id: clientId, response_type: 'code', redirect_uri: redirectUri, scope: 'files:read', resource: RESOURCE, code_challenge: p.challenge, code_challenge_method: 'S256', state: 's1' }),
    });
    const evil = await par('https://evil.example/cb');
    expect(evil.status).toBe(400);
    // oidc-provider 9.13 answers PAR with invalid_request (the catalogue's invalid_redirect_uri is 9.11's).
    expect(await evil.json()).toEqual({ error: 'invalid_request', error_description: "redirect_uri did not match any of the client's registered redirect_uris" });

    const good = await par(RU);
    expect(good.status).toBe(201);
    const { request_uri: requestUri } = (await good.json()) as { request_uri: string };
    const url = `${suite.base}/auth?${new URLSearchParams({ client_id: clientId, request_uri: requestUri })}`;
    // The pushed request is consumed when the authorization response is sent (upstream respond.js).
    const done = await authorizeInBrowser(new TestBrowser(suite.base), url, USER);
    expect(new URL(done.location as string).searchParams.get('code')).toEqual(expect.any(String));
    // The client has one registered URI, so the error goes there (never anywhere else), without a code.
    const reuse = await get(url);
    expect(reuse.status).toBe(303);
    const error = new URL(reuse.location as string);
    expect(`${error.origin}${error.pathname}`).toBe(RU);
    expect(error.searchParams.get('error')).toBe('invalid_request_uri');
    expect(error.searchParams.has('code')).toBe(false);
  });

  it.each(['token', 'code id_token token', 'id_token', 'code token'])('AS-07 response_type=%s is refused with unsupported_response_type and no token', async (responseType) => {
    const clientId = await publicClient(suite.base);
    const page = await get(authz(suite.base, clientId, await pkce(), RESOURCE, { response_type: responseType }));
    expect(page.status).toBeLessThan(500);
    const location = page.location ?? '';
    expect(`${location}${page.body}`).toContain('unsupported_response_type');
    expect(`${location}${page.body}`).not.toMatch(/access_token|id_token=/);
    if (page.location) expect(page.location.startsWith(RU)).toBe(true);
  });

  it('AS-01 the happy path still redirects to the registered URI with code, state and iss', async () => {
    const clientId = await publicClient(suite.base);
    expect(await codeFor(suite.base, clientId, await pkce(), RESOURCE, USER)).toEqual(expect.any(String));
  });
});
