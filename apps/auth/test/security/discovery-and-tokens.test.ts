import { request } from 'node:http';

import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from 'jose';
import { describe, expect, it } from 'vitest';

import { SIGNING_ALG } from '@omnichat/signing-keys';
import { TestBrowser, authorizeInBrowser, RU, authz, codeFor, pkce, publicClient, register, token, tokensFor } from '@omnichat/testkit';
import { startAuthServer } from '../helpers/auth-server.js';
import { authSuite } from './helpers/suite.js';

// docs/security.md, cases of mix-up, iss, discovery and state, of tokens and JWKS, and the error, clock
// and forwarded-header rows.
const RESOURCE = 'http://127.0.0.1:3993/mcp';
const USER = { email: 'tokens@example.com', password: 'a long and unguessable password' };

const suite = authSuite(RESOURCE, USER);

/** A GET with headers fetch may not set (Host). */
function rawGet(url: string, headers: Record<string, string>): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const ENDPOINT_KEYS = ['authorization_endpoint', 'token_endpoint', 'registration_endpoint', 'jwks_uri', 'revocation_endpoint', 'introspection_endpoint', 'userinfo_endpoint', 'end_session_endpoint', 'pushed_authorization_request_endpoint'];

function expectEndpointsOn(metadata: Record<string, unknown>, issuer: string) {
  expect(metadata.issuer).toBe(issuer);
  for (const key of ENDPOINT_KEYS) {
    if (metadata[key] === undefined) continue;
    expect(new URL(metadata[key] as string).origin, key).toBe(new URL(issuer).origin);
  }
}

describe('A.4 mix-up, state, iss', () => {
  it('AS-22 iss is on the success and on the error response, byte for byte', async () => {
    const clientId = await publicClient(suite.base);
    const success = await authorizeInBrowser(new TestBrowser(suite.base), authz(suite.base, clientId, await pkce(), RESOURCE), USER);
    // Another client: consent given to the first is remembered and would skip the Deny button.
    const denied = await authorizeInBrowser(new TestBrowser(suite.base), authz(suite.base, await publicClient(suite.base), await pkce(), RESOURCE), { ...USER, decision: 'deny' });
    for (const result of [success, denied]) {
      expect(result.location?.startsWith(`${RU}?`)).toBe(true);
      // Byte for byte: the encoded value in the raw Location, not only the decoded one.
      expect(result.location).toContain(`iss=${encodeURIComponent(suite.base)}`);
    }
    expect(new URL(denied.location as string).searchParams.get('error')).toBe('access_denied');
    expect(new URL(success.location as string).searchParams.get('code')).toEqual(expect.any(String));
  });

  it('AS-23 discovery: exact issuer, iss and S256 advertised, every endpoint on the issuer origin, at both well-known paths', async () => {
    for (const path of ['/.well-known/oauth-authorization-server', '/.well-known/openid-configuration']) {
      const metadata = (await (await fetch(`${suite.base}${path}`)).json()) as Record<string, unknown>;
      expectEndpointsOn(metadata, suite.base);
      expect(metadata).toMatchObject({ authorization_response_iss_parameter_supported: true, code_challenge_methods_supported: ['S256'] });
    }
  });

  it('AS-24 a spoofed Host or X-Forwarded-Host never reaches the endpoints in discovery or redirects', async () => {
    for (const headers of [{ host: 'evil.example' }, { 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https' }, { host: 'evil.example', 'x-forwarded-host': 'evil.example' }] as Array<Record<string, string>>) {
      const response = await rawGet(`${suite.base}/.well-known/oauth-authorization-server`, headers);
      expect(response.status).toBe(200);
      expect(response.body).not.toContain('evil.example');
      expectEndpointsOn(JSON.parse(response.body) as Record<string, unknown>, suite.base);
    }
    const clientId = await publicClient(suite.base);
    const started = await rawGet(authz(suite.base, clientId, await pkce(), RESOURCE), { host: 'evil.example' });
    expect(started.status).toBe(303);
    expect(String(started.headers.location)).not.toContain('evil.example');
  });

  it('AS-24 with an https issuer behind a proxy, endpoints say https on the issuer host whatever the request says', async () => {
    const proxied = await startAuthServer({ prisma: suite.db.prisma, resourceUrl: RESOURCE, env: { ISSUER: 'https://auth.example.test', TRUST_PROXY: 'loopback' } });
    try {
      const direct = `http://127.0.0.1:${proxied.config.port}`;
      for (const headers of [{}, { 'x-forwarded-proto': 'http', 'x-forwarded-host': 'evil.example' }, { host: 'evil.example' }] as Array<Record<string, string>>) {
        const response = await rawGet(`${direct}/.well-known/oauth-authorization-server`, headers);
        expectEndpointsOn(JSON.parse(response.body) as Record<string, unknown>, 'https://auth.example.test');
      }
    } finally {
      await proxied.close();
    }
  });

  it('AS-25 no state: the flow still succeeds, and no state is invented', async () => {
    const clientId = await publicClient(suite.base);
    const result = await authorizeInBrowser(new TestBrowser(suite.base), authz(suite.base, clientId, await pkce(), RESOURCE, { state: null }), USER);
    const callback = new URL(result.location as string);
    expect(callback.searchParams.get('code')).toEqual(expect.any(String));
    expect(callback.searchParams.has('state')).toBe(false);
  });

  it('AS-25 a long state with CR LF and markup is echoed once, URL-encoded, with no header split', async () => {
    const clientId = await publicClient(suite.base);
    const state = `${'s'.repeat(1900)}\r\nSet-Cookie: x=1\r\n<script>alert(1)</script>`;
    const result = await authorizeInBrowser(new TestBrowser(suite.base), authz(suite.base, clientId, await pkce(), RESOURCE, { state }), USER);
    expect(result.headers.get('set-cookie') ?? '').not.toContain('x=1');
    expect(result.location).not.toMatch(/[\r\n<>]/);
    const callback = new URL(result.location as string);
    expect(callback.searchParams.getAll('state')).toEqual([state]);
  });
});

describe('A.10 tokens and JWKS', () => {
  async function jwks(): Promise<JSONWebKeySet> {
    return (await (await fetch(`${suite.base}/jwks`)).json()) as JSONWebKeySet;
  }

  it('AS-63 the access token: typ at+jwt, an asymmetric alg, a published kid; iss, aud, client_id, sub, scope, jti, iat, exp − iat ≤ 600', async () => {
    const clientId = await publicClient(suite.base);
    const tokens = await tokensFor(suite.base, clientId, RESOURCE, USER);
    const accessToken = tokens.access_token as string;
    const header = decodeProtectedHeader(accessToken);
    expect(header.typ).toBe('at+jwt');
    expect(header.alg).toBe(SIGNING_ALG);
    expect((await jwks()).keys.map((key) => key.kid)).toContain(header.kid);
    const { payload } = await jwtVerify(accessToken, createLocalJWKSet(await jwks()), { issuer: suite.base, audience: RESOURCE, typ: 'at+jwt', algorithms: [SIGNING_ALG] });
    expect(payload).toMatchObject({ client_id: clientId, scope: 'files:read', sub: expect.any(String), jti: expect.any(String) });
    expect(payload.aud).toBe(RESOURCE);
    expect((payload.exp as number) - (payload.iat as number)).toBeLessThanOrEqual(600);
  });

  it('AS-64 /jwks publishes public signing keys only: no private members, no oct keys, kid and use=sig on each', async () => {
    const { keys } = await jwks();
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) {
      expect(key.kty).not.toBe('oct');
      expect(key).toMatchObject({ use: 'sig', kid: expect.any(String) });
      for (const member of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'oth']) expect(key).not.toHaveProperty(member);
    }
  });

  it('AS-66 the signing alg always has a key behind it: every published key is for SIGNING_ALG and a token is signed at boot', async () => {
    // The alg is not configurable: keys/signing-keys.ts generates RSA keys for SIGNING_ALG and the
    // resource server info signs with the same constant, so no configuration can split them.
    const { keys } = await jwks();
    expect(keys.every((key) => key.alg === SIGNING_ALG && key.kty === 'RSA')).toBe(true);
    const clientId = await publicClient(suite.base);
    expect(decodeProtectedHeader((await tokensFor(suite.base, clientId, RESOURCE, USER)).access_token as string).alg).toBe(SIGNING_ALG);
  });
});

describe('A.11 clock, forwarded headers, errors', () => {
  it('AS-70 expiry follows the app clock, not the database clock: a code issued at a skewed time expires 60 s after it', async () => {
    const clientId = await publicClient(suite.base);
    const p = await pkce();
    await suite.shifted(90_000, async (advance) => { // this replica runs 90 s ahead
      const code = await codeFor(suite.base, clientId, p, RESOURCE, USER);
      const row = await suite.db.prisma.oidcPayload.findUniqueOrThrow({ where: { model_id: { model: 'AuthorizationCode', id: code } } });
      // Written from the app clock: ~now + 60 s, i.e. ~150 s after the database's own now().
      expect(Math.abs((row.expiresAt as Date).getTime() - (Date.now() + 90_000 + 60_000))).toBeLessThan(5_000);
      advance(61_000);
      const late = await token(suite.base, { grant_type: 'authorization_code', code, redirect_uri: RU, code_verifier: p.verifier, client_id: clientId });
      expect(late).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    });
  });

  it('AS-71 without TRUST_PROXY, a client-sent X-Forwarded-For does not move the per-IP limits', async () => {
    await suite.db.prisma.rateLimitCounter.deleteMany(); // this file's other registrations counted too
    const limited = await startAuthServer({ prisma: suite.db.prisma, resourceUrl: RESOURCE, env: { LIMIT_REGISTER_PER_IP: '2/600' } });
    try {
      const statuses = [];
      for (let i = 0; i < 4; i += 1) statuses.push((await register(limited.issuer, {}, { 'x-forwarded-for': `203.0.113.${i}` })).status);
      expect(statuses).toEqual([201, 201, 429, 429]);
    } finally {
      await limited.close();
    }
  });

  it('AS-71 with TRUST_PROXY=loopback the limit keys on the address the proxy appended, not on what the client put first', async () => {
    await suite.db.prisma.rateLimitCounter.deleteMany();
    const limited = await startAuthServer({ prisma: suite.db.prisma, resourceUrl: RESOURCE, env: { LIMIT_REGISTER_PER_IP: '2/600', TRUST_PROXY: '127.0.0.1' } });
    try {
      const spoofed = [];
      // The client forges a fresh first hop each time; the proxy (127.0.0.1) appends the real address.
      for (let i = 0; i < 3; i += 1) spoofed.push((await register(limited.issuer, {}, { 'x-forwarded-for': `10.9.9.${i}, 198.51.100.7` })).status);
      expect(spoofed).toEqual([201, 201, 429]);
      expect((await register(limited.issuer, {}, { 'x-forwarded-for': '198.51.100.8' })).status).toBe(201);
    } finally {
      await limited.close();
    }
  });

  it('AS-72 errors: a branded, escaped page at /auth with no stack; JSON errors at /token carry only error and error_description', async () => {
    const page = await fetch(`${suite.base}/auth?client_id=%3Cscript%3Ealert(1)%3C%2Fscript%3E&response_type=code`, { redirect: 'manual' });
    expect(page.status).toBe(400);
    expect(page.headers.get('content-type')).toContain('text/html');
    const html = await page.text();
    expect(html).not.toContain('<script>alert(1)');
    expect(html).not.toMatch(/at .*\.(ts|js):\d+|node_modules|prisma/i);

    for (const form of [{}, { grant_type: 'nope' }, { grant_type: 'authorization_code', code: 'x', client_id: 'unknown' }, { grant_type: 'refresh_token', refresh_token: '<x>', client_id: await publicClient(suite.base) }] as Array<Record<string, string>>) {
      const response = await token(suite.base, form);
      expect(response.status).toBeGreaterThanOrEqual(400);
      expect(response.status).toBeLessThan(500);
      expect(Object.keys(response.body).sort()).toEqual(['error', 'error_description']);
      expect(response.headers.get('cache-control')).toBe('no-store');
    }
  });
});
