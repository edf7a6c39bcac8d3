import { createTestDatabase } from '@omnichat/db/testing';
import { SignJWT, base64url, createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import * as oauth from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { TestBrowser, CHATGPT_REDIRECT_URI as RU, authorizeInBrowser } from '@omnichat/testkit';
import { createUser, startAuthServer, type RunningAuthServer } from './helpers/auth-server.js';
import { startCimdHost, type CimdHost } from './helpers/cimd-host.js';

const RESOURCE = 'http://127.0.0.1:3997/mcp';
const EMAIL = 'carol@example.com';
const PASSWORD = 'another long password here';

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let host: CimdHost;
let server: RunningAuthServer;

beforeAll(async () => {
  db = await createTestDatabase();
  host = await startCimdHost();
  server = await startAuthServer({ prisma: db.prisma, resourceUrl: RESOURCE, env: { CIMD_DEV_ALLOW: host.origin }, devFetch: host.devFetch });
  await createUser(db.prisma, EMAIL, PASSWORD);
});

afterAll(async () => {
  await server?.close();
  await host?.close();
  await db?.drop();
});

function serve(path: string, body: unknown, extra: { status?: number; headers?: Record<string, string> } = {}): string {
  host.routes.set(path, { body, ...extra });
  return `${host.origin}${path}`;
}

async function authorizationUrl(clientId: string, overrides: Record<string, string> = {}) {
  const verifier = oauth.randomPKCECodeVerifier();
  const query = new URLSearchParams({
    response_type: 'code', client_id: clientId, redirect_uri: RU, scope: 'files:read', resource: RESOURCE, state: 's1',
    code_challenge: await oauth.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', ...overrides,
  });
  return { url: `${server.issuer}/auth?${query}`, verifier };
}

async function codeFor(clientId: string) {
  const { url, verifier } = await authorizationUrl(clientId);
  const result = await authorizeInBrowser(new TestBrowser(server.issuer), url, { email: EMAIL, password: PASSWORD });
  const callback = new URL(result.location as string);
  expect(callback.searchParams.get('iss')).toBe(server.issuer);
  return { code: callback.searchParams.get('code') as string, verifier };
}

/** ChatGPT's assertion: RS256, aud = the token endpoint URL exactly. */
async function assertion(clientId: string, overrides: { aud?: string; jti?: string } = {}) {
  return new SignJWT({})
    .setProtectedHeader({ alg: 'RS256', kid: host.publicJwk.kid as string })
    .setIssuer(clientId)
    .setSubject(clientId)
    .setAudience(overrides.aud ?? `${server.issuer}/token`)
    .setJti(overrides.jti ?? crypto.randomUUID())
    .setIssuedAt()
    .setExpirationTime('60s')
    .sign(host.privateKey);
}

async function tokenWithAssertion(clientId: string, code: string, verifier: string, clientAssertion: string) {
  const response = await fetch(`${server.issuer}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code', code, redirect_uri: RU, code_verifier: verifier, resource: RESOURCE, client_id: clientId,
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: clientAssertion,
    }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, string> };
}

async function rendered(url: string) {
  const response = await fetch(url, { redirect: 'manual' });
  return { status: response.status, location: response.headers.get('location'), body: await response.text() };
}

describe('client ID metadata documents', () => {
  it('completes the flow with private_key_jwt through openid-client (ChatGPT shape)', async () => {
    const clientId = serve('/oauth/client.json', host.chatgptDocument('/oauth/client.json'), { headers: { 'cache-control': 'max-age=300' } });
    const config = await oauth.discovery(new URL(server.issuer), clientId, undefined, oauth.PrivateKeyJwt(host.privateKey, {
      [oauth.modifyAssertion]: (header, payload) => {
        header.kid = host.publicJwk.kid as string;
        payload.aud = `${server.issuer}/token`;
      },
    }), { execute: [oauth.allowInsecureRequests] });
    const verifier = oauth.randomPKCECodeVerifier();
    const url = oauth.buildAuthorizationUrl(config, {
      redirect_uri: RU, scope: 'files:read chat:read', resource: RESOURCE,
      code_challenge: await oauth.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
    });
    const result = await authorizeInBrowser(new TestBrowser(server.issuer), url, { email: EMAIL, password: PASSWORD });
    const tokens = await oauth.authorizationCodeGrant(config, new URL(result.location as string), { pkceCodeVerifier: verifier, expectedState: oauth.skipStateCheck }, { resource: RESOURCE });
    const jwks = (await (await fetch(`${server.issuer}/jwks`)).json()) as JSONWebKeySet;
    const { payload } = await jwtVerify(tokens.access_token, createLocalJWKSet(jwks), { issuer: server.issuer, audience: RESOURCE, typ: 'at+jwt' });
    expect(payload).toMatchObject({ client_id: clientId, scope: 'files:read chat:read' });
    const refreshed = await oauth.refreshTokenGrant(config, tokens.refresh_token as string);
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);
  });

  it('refuses a replayed, unsigned, wrongly signed or mis-addressed client assertion', async () => {
    const clientId = serve('/assertions/client.json', host.chatgptDocument('/assertions/client.json'));
    const { code, verifier } = await codeFor(clientId);

    const jti = crypto.randomUUID();
    const good = await assertion(clientId, { jti });
    const [header, payload] = good.split('.') as [string, string, string];
    const unsigned = `${base64url.encode(JSON.stringify({ alg: 'none' }))}.${payload}.`;
    const forged = `${header}.${payload}.${base64url.encode(new Uint8Array(256))}`;
    for (const bad of [unsigned, forged, await assertion(clientId, { aud: 'https://evil.example/token' })]) {
      expect(await tokenWithAssertion(clientId, code, verifier, bad)).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
    }
    expect((await tokenWithAssertion(clientId, code, verifier, good)).status).toBe(200);
    const again = await codeFor(clientId);
    expect(await tokenWithAssertion(clientId, again.code, again.verifier, good)).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
  });

  it.each([
    ['a redirect (never followed)', '/redirect.json', () => ({ status: 302, headers: { location: `${host.origin}/oauth/client.json` }, body: {} }), 'invalid_client'],
    ['a client_id that differs from the URL', '/mismatch.json', () => ({ body: host.chatgptDocument('/other.json') }), 'invalid_client_metadata'],
    ['an oversized document', '/big.json', () => ({ body: host.chatgptDocument('/big.json', { client_name: 'x'.repeat(6000) }) }), 'invalid_client'],
    ['a shared-secret auth method', '/secret.json', () => ({ body: host.chatgptDocument('/secret.json', { token_endpoint_auth_method: 'client_secret_post' }) }), 'invalid_client_metadata'],
    ['a redirect URI off the allow-list', '/evil-redirect.json', () => ({ body: host.chatgptDocument('/evil-redirect.json', { redirect_uris: ['https://evil.example/cb'] }) }), 'invalid_redirect_uri'],
  ])('refuses %s', async (_name, path, route, error) => {
    const { status, headers, body } = route() as { status?: number; headers?: Record<string, string>; body: unknown };
    const clientId = serve(path, body, { ...(status ? { status } : {}), ...(headers ? { headers } : {}) });
    const page = await rendered((await authorizationUrl(clientId)).url);
    expect(page.status).toBe(400);
    expect(page.location).toBeNull();
    expect(page.body).toContain(error);
  });

  it('refuses a redirect_uri the document does not list', async () => {
    const clientId = serve('/narrow.json', host.chatgptDocument('/narrow.json'));
    const page = await rendered((await authorizationUrl(clientId, { redirect_uri: 'https://claude.ai/api/mcp/auth_callback' })).url);
    expect(page.status).toBe(400);
    expect(page.location).toBeNull();
    expect(page.body).toContain('invalid_redirect_uri');
  });

  it('never fetches a loopback document without the development switch', async () => {
    const strict = await startAuthServer({ prisma: db.prisma, resourceUrl: RESOURCE, devFetch: host.devFetch });
    try {
      const clientId = serve('/private.json', host.chatgptDocument('/private.json'));
      const query = new URLSearchParams({ response_type: 'code', client_id: clientId, redirect_uri: RU, code_challenge: 'x'.repeat(43), code_challenge_method: 'S256' });
      const page = await rendered(`${strict.issuer}/auth?${query}`);
      expect(page.status).toBe(400);
      expect(page.body).toContain('invalid_client');
      expect(host.hits.get('/private.json') ?? 0).toBe(0);
    } finally {
      await strict.close();
    }
  });
});
