import { createTestDatabase } from '@omnichat/db/testing';
import { RESOURCE_SCOPES } from '@omnichat/scopes';
import { decodeJwt } from 'jose';
import * as oauth from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  TestBrowser,
  csrfFrom,
  CHATGPT_REDIRECT_URI as RU,
  authorizeInBrowser,
  authz as authzAt,
  codeFor as codeForAt,
  pkce,
  token as tokenAt,
  type Pkce,
} from '@omnichat/testkit';
import { createUser, startAuthServer, type RunningAuthServer } from './helpers/auth-server.js';

const RESOURCE = 'http://127.0.0.1:3998/mcp';
const EMAIL = 'bob@example.com';
const PASSWORD = 'a long and unguessable password';

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let server: RunningAuthServer;

beforeAll(async () => {
  db = await createTestDatabase();
  server = await startAuthServer({ prisma: db.prisma, resourceUrl: RESOURCE });
  await createUser(db.prisma, EMAIL, PASSWORD);
});

afterAll(async () => {
  await server?.close();
  await db?.drop();
});

async function register(body: unknown, raw?: string) {
  const response = await fetch(`${server.issuer}/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: raw ?? JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, string> };
}

async function publicClient(extra: Record<string, unknown> = {}): Promise<{ client_id: string; client_secret?: string }> {
  const { status, body } = await register({
    redirect_uris: [RU], grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'], token_endpoint_auth_method: 'none', client_name: 't', ...extra,
  });
  expect(status).toBe(201);
  return body as unknown as { client_id: string };
}

/** A valid authorization request (the cases of docs/security.md vary one parameter each): overrides replace, `null` drops a parameter. */
const authz = (clientId: string, p: Pkce, overrides: Record<string, string | null> = {}) => authzAt(server.issuer, clientId, p, RESOURCE, overrides);
const token = (form: Record<string, string>) => tokenAt<Record<string, string>>(server.issuer, form);
const codeFor = (clientId: string, p: Pkce, overrides: Record<string, string | null> = {}) =>
  codeForAt(server.issuer, clientId, p, RESOURCE, { email: EMAIL, password: PASSWORD }, overrides);

function redirectError(location: string | undefined) {
  const url = new URL(location as string);
  expect(`${url.origin}${url.pathname}`).toBe(RU);
  return Object.fromEntries(url.searchParams);
}

describe('authorization endpoint refusals', () => {
  it.each([
    ['AS-08 missing PKCE', { code_challenge: null, code_challenge_method: null }, 'invalid_request', 'Authorization Server policy requires PKCE to be used for this request'],
    ['AS-09 plain PKCE', { code_challenge_method: 'plain' }, 'invalid_request', 'not supported value of code_challenge_method'],
    ['AS-10 a challenge without a method', { code_challenge_method: null }, 'invalid_request', 'code_challenge_method must be provided'],
    ['AS-34 an unknown resource', { resource: 'https://evil.example/mcp' }, 'invalid_target', undefined],
  ])('%s: redirected back with the error and iss', async (_name, overrides, error, description) => {
    const client = await publicClient();
    const response = await fetch(authz(client.client_id, await pkce(), overrides), { redirect: 'manual' });
    expect(response.status).toBe(303);
    const params = redirectError(response.headers.get('location') ?? undefined);
    expect(params).toMatchObject({ error, state: 's1', iss: server.issuer });
    if (description) expect(params.error_description).toBe(description);
  });

  it('AS-08 refuses PKCE-less requests from confidential clients too', async () => {
    const client = await publicClient({ token_endpoint_auth_method: 'client_secret_post' });
    const response = await fetch(authz(client.client_id, await pkce(), { code_challenge: null, code_challenge_method: null }), { redirect: 'manual' });
    expect(redirectError(response.headers.get('location') ?? undefined)).toMatchObject({ error: 'invalid_request', iss: server.issuer });
  });

  it.each([
    'https://evil.example/cb', `${RU}/`, `${RU}?x=1`, 'HTTPS://CHATGPT.COM/connector_platform_oauth_redirect', 'http://chatgpt.com/connector_platform_oauth_redirect',
  ])('renders, never redirects, an unregistered redirect_uri %s', async (redirectUri) => {
    const client = await publicClient();
    const response = await fetch(authz(client.client_id, await pkce(), { redirect_uri: redirectUri }), { redirect: 'manual' });
    expect(response.status).toBe(400);
    expect(response.headers.get('location')).toBeNull();
    expect(response.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(await response.text()).toContain('invalid_redirect_uri');
  });

  it('renders an unknown client without redirecting', async () => {
    const response = await fetch(authz('nope', await pkce(), { redirect_uri: 'https://evil.example' }), { redirect: 'manual' });
    expect(response.status).toBe(400);
    expect(response.headers.get('location')).toBeNull();
    expect(await response.text()).toContain('invalid_client');
  });

  it('AS-22 returns access_denied with iss when the user denies consent', async () => {
    const client = await publicClient();
    const result = await authorizeInBrowser(new TestBrowser(server.issuer), authz(client.client_id, await pkce()), { email: EMAIL, password: PASSWORD, decision: 'deny' });
    expect(redirectError(result.location)).toMatchObject({ error: 'access_denied', state: 's1', iss: server.issuer });
  });

  it('AS-25 echoes a long state byte for byte', async () => {
    const client = await publicClient();
    const state = `oauth_s_${'0123456789abcdef'.repeat(120)}\r\n<script>`;
    const result = await authorizeInBrowser(new TestBrowser(server.issuer), authz(client.client_id, await pkce(), { state }), { email: EMAIL, password: PASSWORD });
    expect(new URL(result.location as string).searchParams.get('state')).toBe(state);
  });

  it.each([['missing', null], ['empty', '']])('AS-38 defaults a %s scope to every scope the client may have', async (_name, scope) => {
    const client = await publicClient();
    const p = await pkce();
    const browser = new TestBrowser(server.issuer);
    const result = await authorizeInBrowser(browser, authz(client.client_id, p, { scope }), { email: EMAIL, password: PASSWORD });
    const code = new URL(result.location as string).searchParams.get('code') as string;
    const tokens = await token({ grant_type: 'authorization_code', code, redirect_uri: RU, code_verifier: p.verifier, client_id: client.client_id, resource: RESOURCE });
    expect(tokens.status).toBe(200);
    expect((decodeJwt(tokens.body.access_token as string).scope as string).split(' ')).toEqual([...RESOURCE_SCOPES]);
  });

  it('AS-43 shows the client name escaped, the redirect host and each scope on the consent page', async () => {
    const client = await publicClient({ client_name: '<img src=x onerror=alert(1)>' });
    const browser = new TestBrowser(server.issuer);
    const loginPage = await browser.follow(authz(client.client_id, await pkce(), { scope: 'files:read ssh:execute' }));
    const consent = await browser.follow(`/interaction/${/interaction\/([^/"]+)\/login/.exec(loginPage.body)?.[1]}/login`, {
      form: { csrf: csrfFrom(loginPage.body), email: EMAIL, password: PASSWORD },
    });
    expect(consent.status).toBe(200);
    expect(consent.body).not.toContain('<img src=x');
    expect(consent.body).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(consent.body).toContain('chatgpt.com');
    expect(consent.body).toContain('Read your private files');
    expect(consent.body).toContain('Run commands on servers an administrator approved for you');
  });
});

describe('interaction forms', () => {
  async function loginPage() {
    const client = await publicClient();
    const browser = new TestBrowser(server.issuer);
    const page = await browser.follow(authz(client.client_id, await pkce()));
    const uid = /interaction\/([^/"]+)\/login/.exec(page.body)?.[1] as string;
    return { browser, page, uid };
  }

  it('AS-54 gives the same answer for an unknown user and a wrong password', async () => {
    const first = await loginPage();
    const unknown = await first.browser.request(`/interaction/${first.uid}/login`, { form: { csrf: csrfFrom(first.page.body), email: 'nobody@example.com', password: PASSWORD } });
    const second = await loginPage();
    const wrong = await second.browser.request(`/interaction/${second.uid}/login`, { form: { csrf: csrfFrom(second.page.body), email: EMAIL, password: 'wrong password' } });
    expect(unknown.status).toBe(401);
    expect(wrong.status).toBe(401);
    const message = (body: string) => /role="alert">([^<]*)</.exec(body)?.[1];
    expect(message(unknown.body)).toBe('That email and password do not match an account.');
    expect(message(wrong.body)).toBe(message(unknown.body));
  });

  it('AS-56 refuses a form post without the CSRF token, or from another origin', async () => {
    const { browser, uid, page } = await loginPage();
    const missing = await browser.request(`/interaction/${uid}/login`, { form: { email: EMAIL, password: PASSWORD } });
    expect(missing.status).toBe(400);
    expect(missing.body).toContain('invalid_request');
    const crossSite = await browser.request(`/interaction/${uid}/login`, {
      form: { csrf: csrfFrom(page.body), email: EMAIL, password: PASSWORD },
      headers: { origin: 'https://attacker.example' },
    });
    expect(crossSite.status).toBe(400);
  });

  it('AS-58 refuses an interaction opened without its browser cookie', async () => {
    const { uid } = await loginPage();
    const response = await fetch(`${server.issuer}/interaction/${uid}`);
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('invalid_request');
  });
});

describe('token endpoint refusals', () => {
  it('refuses a wrong verifier without consuming the code (AS-12)', async () => {
    const client = await publicClient();
    const p = await pkce();
    const code = await codeFor(client.client_id, p);
    const base = { grant_type: 'authorization_code', code, redirect_uri: RU, client_id: client.client_id };
    const wrong = await token({ ...base, code_verifier: oauth.randomPKCECodeVerifier() });
    expect(wrong).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    expect((await token({ ...base, code_verifier: p.verifier })).status).toBe(200);
  });

  it('refuses code replay and revokes what the first redemption issued (AS-16)', async () => {
    const client = await publicClient();
    const p = await pkce();
    const code = await codeFor(client.client_id, p);
    const form = { grant_type: 'authorization_code', code, redirect_uri: RU, client_id: client.client_id, code_verifier: p.verifier };
    const first = await token(form);
    expect(first.status).toBe(200);
    expect(await token(form)).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    const refresh = await token({ grant_type: 'refresh_token', refresh_token: first.body.refresh_token as string, client_id: client.client_id });
    expect(refresh).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
  });

  it('lets exactly one of ten parallel redemptions win (AS-17)', async () => {
    const client = await publicClient();
    const p = await pkce();
    const code = await codeFor(client.client_id, p);
    const form = { grant_type: 'authorization_code', code, redirect_uri: RU, client_id: client.client_id, code_verifier: p.verifier };
    const results = await Promise.all(Array.from({ length: 10 }, () => token(form)));
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.filter((r) => r.status === 400 && r.body.error === 'invalid_grant')).toHaveLength(9);
  });

  it('refuses a redirect_uri that differs from the authorization request (AS-19)', async () => {
    const client = await publicClient();
    const p = await pkce();
    const code = await codeFor(client.client_id, p);
    const result = await token({ grant_type: 'authorization_code', code, redirect_uri: `${RU}?x=1`, client_id: client.client_id, code_verifier: p.verifier });
    expect(result).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
  });

  it('refuses client A\'s code presented by client B (AS-18)', async () => {
    const a = await publicClient();
    const b = await publicClient();
    const p = await pkce();
    const code = await codeFor(a.client_id, p);
    const result = await token({ grant_type: 'authorization_code', code, redirect_uri: RU, client_id: b.client_id, code_verifier: p.verifier });
    expect(result).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
  });

  it('refuses a refresh that asks for another resource or a wider scope (AS-30, AS-31)', async () => {
    const client = await publicClient();
    const p = await pkce();
    const code = await codeFor(client.client_id, p);
    const first = await token({ grant_type: 'authorization_code', code, redirect_uri: RU, client_id: client.client_id, code_verifier: p.verifier });
    const rt = first.body.refresh_token as string;
    expect(await token({ grant_type: 'refresh_token', refresh_token: rt, client_id: client.client_id, resource: 'https://other.example/mcp' }))
      .toMatchObject({ status: 400, body: { error: 'invalid_target' } });
    expect(await token({ grant_type: 'refresh_token', refresh_token: rt, client_id: client.client_id, scope: 'files:read ssh:execute' }))
      .toMatchObject({ status: 400, body: { error: 'invalid_scope' } });
  });
});

describe('registration refusals (nothing stored)', () => {
  const base = { redirect_uris: [RU], token_endpoint_auth_method: 'none' };
  it.each([
    ['AS-41 another host', { redirect_uris: ['https://evil.example/cb'] }, 'invalid_redirect_uri'],
    ['AS-41 an allowed and a foreign URI', { redirect_uris: [RU, 'https://evil.example/cb'] }, 'invalid_redirect_uri'],
    ['AS-41 a trailing-slash variant', { redirect_uris: [`${RU}/`] }, 'invalid_redirect_uri'],
    ['AS-40 http off loopback', { redirect_uris: ['http://evil.example/cb'] }, 'invalid_redirect_uri'],
    ['AS-39 javascript:', { redirect_uris: ['javascript:alert(1)'] }, 'invalid_redirect_uri'],
    ['AS-39 data:', { application_type: 'native', redirect_uris: ['data:text/html,x'] }, 'invalid_redirect_uri'],
    ['AS-39 a fragment', { redirect_uris: [`${RU}#f`] }, 'invalid_redirect_uri'],
    ['AS-41 a client-sent wildcard', { redirect_uris: ['https://chatgpt.com/connector/oauth/*'] }, 'invalid_redirect_uri'],
    ['AS-42 too many URIs', { redirect_uris: Array.from({ length: 11 }, (_, i) => `http://127.0.0.1:${9000 + i}/cb`) }, 'invalid_client_metadata'],
    ['AS-42 an oversized client_name', { client_name: 'A'.repeat(5000) }, 'invalid_client_metadata'],
    ['AS-42 500 contacts', { contacts: Array.from({ length: 500 }, (_, i) => `c${i}@example.com`) }, 'invalid_client_metadata'],
    ['AS-44 the implicit grant', { grant_types: ['implicit'] }, 'invalid_client_metadata'],
    ['AS-44 client_credentials', { grant_types: ['client_credentials'] }, 'invalid_client_metadata'],
    ['AS-44 a token response type', { response_types: ['token'] }, 'invalid_client_metadata'],
    ['AS-44 client_secret_jwt', { token_endpoint_auth_method: 'client_secret_jwt' }, 'invalid_client_metadata'],
    ['AS-36 an unknown scope', { scope: 'files:read admin' }, 'invalid_client_metadata'],
  ])('%s is refused', async (_name, extra, error) => {
    const before = await db.prisma.oidcPayload.count({ where: { model: 'Client' } });
    const { status, body } = await register({ ...base, ...extra });
    expect(status).toBe(400);
    expect(body.error).toBe(error);
    expect(await db.prisma.oidcPayload.count({ where: { model: 'Client' } })).toBe(before);
  });

  it('refuses malformed JSON', async () => {
    const { status, body } = await register(undefined, '{"redirect_uris": [');
    expect(status).toBe(400);
    expect(body).toMatchObject({ error: 'invalid_request', error_description: 'failed to parse the request body' });
  });

  it('AS-42 refuses an oversized body with oidc-provider\'s own cap, not Fastify\'s', async () => {
    const { status, body } = await register({ ...base, client_uri: `https://example.com/${'a'.repeat(60 * 1024)}` });
    expect(status).toBe(400);
    expect(body).toMatchObject({ error: 'invalid_request', error_description: 'failed to parse the request body' });
  });
});

describe('restart mid-flow', () => {
  it('AS-69 finishes a flow started before a restart: interaction, session and code live in Postgres', async () => {
    const restartable = await startAuthServer({ prisma: db.prisma, resourceUrl: RESOURCE });
    const port = Number(new URL(restartable.issuer).port);
    const { client_id: clientId } = await (await fetch(`${restartable.issuer}/register`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ redirect_uris: [RU], token_endpoint_auth_method: 'none', grant_types: ['authorization_code', 'refresh_token'] }),
    })).json() as { client_id: string };
    const p = await pkce();
    const browser = new TestBrowser(restartable.issuer);
    const query = new URLSearchParams({ response_type: 'code', client_id: clientId, redirect_uri: RU, scope: 'files:read', resource: RESOURCE, code_challenge: p.challenge, code_challenge_method: 'S256' });
    const login = await browser.follow(`${restartable.issuer}/auth?${query}`);
    const uid = /interaction\/([^/"]+)\/login/.exec(login.body)?.[1] as string;
    const consent = await browser.follow(`/interaction/${uid}/login`, { form: { csrf: csrfFrom(login.body), email: EMAIL, password: PASSWORD } });
    expect(consent.body).toContain('/confirm');
    await restartable.close();

    const again = await startAuthServer({ prisma: db.prisma, resourceUrl: RESOURCE, port });
    try {
      const consentUid = /interaction\/([^/"]+)\/confirm/.exec(consent.body)?.[1] as string;
      const done = await browser.follow(`/interaction/${consentUid}/confirm`, { form: { csrf: csrfFrom(consent.body) } });
      const code = new URL(done.location as string).searchParams.get('code') as string;
      const response = await fetch(`${again.issuer}/token`, {
        method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: RU, client_id: clientId, code_verifier: p.verifier }),
      });
      expect(response.status).toBe(200);
    } finally {
      await again.close();
    }
  });
});
