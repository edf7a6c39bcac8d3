import { createTestDatabase } from '@omnichat/db/testing';
import { RESOURCE_SCOPES } from '@omnichat/scopes';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from 'jose';
import * as oauth from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { TestBrowser, CHATGPT_REDIRECT_URI, authorizeInBrowser, obtainTokens, registerClient, token } from '@omnichat/testkit';
import { createUser, startAuthServer, type RunningAuthServer } from './helpers/auth-server.js';

const RESOURCE = 'http://127.0.0.1:3999/mcp';
const EMAIL = 'alice@example.com';
const PASSWORD = 'correct horse battery staple';

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let server: RunningAuthServer;
let userId: string;

beforeAll(async () => {
  db = await createTestDatabase();
  server = await startAuthServer({ prisma: db.prisma, resourceUrl: RESOURCE });
  userId = await createUser(db.prisma, EMAIL, PASSWORD);
});

afterAll(async () => {
  await server?.close();
  await db?.drop();
});

async function jwks(): Promise<JSONWebKeySet> {
  return (await (await fetch(`${server.issuer}/jwks`)).json()) as JSONWebKeySet;
}

async function verifyAccessToken(token: string) {
  return jwtVerify(token, createLocalJWKSet(await jwks()), { issuer: server.issuer, audience: RESOURCE, typ: 'at+jwt', algorithms: ['RS256'] });
}

const tokenRequest = (form: Record<string, string>) => token<Record<string, string>>(server.issuer, form);

describe('discovery', () => {
  it('serves the same RFC 8414 metadata at both well-known paths', async () => {
    const oauthMeta = (await (await fetch(`${server.issuer}/.well-known/oauth-authorization-server`)).json()) as Record<string, string[]>;
    const oidcMeta = await (await fetch(`${server.issuer}/.well-known/openid-configuration`)).json();
    expect(oauthMeta).toEqual(oidcMeta);
    expect(oauthMeta).toMatchObject({
      issuer: server.issuer,
      authorization_endpoint: `${server.issuer}/auth`,
      token_endpoint: `${server.issuer}/token`,
      registration_endpoint: `${server.issuer}/register`,
      jwks_uri: `${server.issuer}/jwks`,
      revocation_endpoint: `${server.issuer}/token/revocation`,
      introspection_endpoint: `${server.issuer}/token/introspection`,
      userinfo_endpoint: `${server.issuer}/me`,
      response_types_supported: ['code'],
      response_modes_supported: ['query'],
      code_challenge_methods_supported: ['S256'],
      authorization_response_iss_parameter_supported: true,
      client_id_metadata_document_supported: true,
    });
    expect(oauthMeta.scopes_supported).toEqual([...RESOURCE_SCOPES, 'openid', 'email', 'profile', 'offline_access']);
    expect([...(oauthMeta.grant_types_supported ?? [])].sort()).toEqual(['authorization_code', 'refresh_token']);
    expect([...(oauthMeta.token_endpoint_auth_methods_supported ?? [])].sort()).toEqual(['client_secret_basic', 'client_secret_post', 'none', 'private_key_jwt']);
    expect(oauthMeta.token_endpoint_auth_signing_alg_values_supported).toContain('RS256');
  });

  it('publishes only public signing keys', async () => {
    const { keys } = await jwks();
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) {
      expect(key).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig' });
      expect(key.kid).toBeTruthy();
      for (const secret of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k']) expect(key).not.toHaveProperty(secret);
    }
  });

  it('answers health and readiness', async () => {
    expect((await fetch(`${server.issuer}/healthz`)).status).toBe(200);
    expect(await (await fetch(`${server.issuer}/readyz`)).json()).toEqual({ status: 'ok' });
  });
});

describe('dynamic client registration', () => {
  it('registers a public client with every scope when none is asked for (ChatGPT shape)', async () => {
    const response = await fetch(`${server.issuer}/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        client_name: 'ChatGPT',
        redirect_uris: [CHATGPT_REDIRECT_URI],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        token_endpoint_auth_method: 'none',
      }),
    });
    expect(response.status).toBe(201);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const body = await response.json();
    expect(body).toMatchObject({
      client_name: 'ChatGPT',
      redirect_uris: [CHATGPT_REDIRECT_URI],
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code', 'refresh_token'],
      scope: [...RESOURCE_SCOPES, 'openid', 'email', 'profile', 'offline_access'].join(' '),
    });
    expect(body).not.toHaveProperty('client_secret');
  });

  it('honours client_secret_post and issues a secret that never expires', async () => {
    const response = await fetch(`${server.issuer}/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ redirect_uris: [CHATGPT_REDIRECT_URI], token_endpoint_auth_method: 'client_secret_post' }),
    });
    expect(response.status).toBe(201);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body.token_endpoint_auth_method).toBe('client_secret_post');
    expect(body.client_secret).toEqual(expect.any(String));
    expect(body.client_secret_expires_at).toBe(0);
  });
});

describe('authorization code flow driven by openid-client', () => {
  it('completes for a public client, then refreshes with, without and with a trailing-slash resource', async () => {
    const config = await registerClient(server.issuer, { redirect_uris: [CHATGPT_REDIRECT_URI], token_endpoint_auth_method: 'none' });
    const verifier = oauth.randomPKCECodeVerifier();
    const state = `oauth_s_${'ab'.repeat(16)}`;
    const url = oauth.buildAuthorizationUrl(config, {
      redirect_uri: CHATGPT_REDIRECT_URI,
      scope: 'files:read chat:read',
      resource: RESOURCE,
      state,
      code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      ui_locales: 'en-US',
    });
    const result = await authorizeInBrowser(new TestBrowser(server.issuer), url, { email: EMAIL, password: PASSWORD });
    expect(result.status).toBe(303);
    const callback = new URL(result.location as string);
    expect(`${callback.origin}${callback.pathname}`).toBe(CHATGPT_REDIRECT_URI);
    expect(callback.searchParams.get('iss')).toBe(server.issuer);
    expect(callback.searchParams.get('state')).toBe(state);

    const tokens = await oauth.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state }, { resource: RESOURCE });
    expect(tokens.token_type.toLowerCase()).toBe('bearer');
    expect(tokens.expires_in).toBe(600);
    expect(tokens.refresh_token).toEqual(expect.any(String));
    const header = decodeProtectedHeader(tokens.access_token);
    expect(header).toMatchObject({ typ: 'at+jwt', alg: 'RS256' });
    const { payload } = await verifyAccessToken(tokens.access_token);
    expect(payload).toMatchObject({ iss: server.issuer, aud: RESOURCE, sub: userId, client_id: config.clientMetadata().client_id, scope: 'files:read chat:read' });
    expect((payload.exp as number) - (payload.iat as number)).toBe(600);
    expect(payload.jti).toEqual(expect.any(String));
    expect(payload.gid).toEqual(expect.any(String));

    const first = tokens.refresh_token as string;
    const viaCanonical = await oauth.refreshTokenGrant(config, first, { resource: RESOURCE });
    const viaOmitted = await oauth.refreshTokenGrant(config, viaCanonical.refresh_token as string);
    const viaSlash = await oauth.refreshTokenGrant(config, viaOmitted.refresh_token as string, { resource: `${RESOURCE}/` });
    for (const refreshed of [viaCanonical, viaOmitted, viaSlash]) {
      const { payload: refreshedPayload } = await verifyAccessToken(refreshed.access_token);
      expect(refreshedPayload.aud).toBe(RESOURCE);
      expect(refreshedPayload.scope).toBe('files:read chat:read');
    }
    expect(new Set([first, viaCanonical.refresh_token, viaOmitted.refresh_token, viaSlash.refresh_token]).size).toBe(4);

    // Replaying a rotated-out refresh token revokes the whole grant (RFC 9700 §4.14.2).
    const replay = await tokenRequest({ grant_type: 'refresh_token', refresh_token: first, client_id: config.clientMetadata().client_id });
    expect(replay.status).toBe(400);
    expect(replay.body).toMatchObject({ error: 'invalid_grant', error_description: 'grant request is invalid' });
    const latest = await tokenRequest({ grant_type: 'refresh_token', refresh_token: viaSlash.refresh_token as string, client_id: config.clientMetadata().client_id });
    expect(latest.status).toBe(400);
    expect(latest.body.error).toBe('invalid_grant');
    expect(await db.prisma.oidcPayload.count({ where: { grantId: payload.gid as string } })).toBe(0);
  });

  it('completes for a client_secret_post client; revocation kills its refresh token', async () => {
    const config = await registerClient(server.issuer, { redirect_uris: [CHATGPT_REDIRECT_URI], token_endpoint_auth_method: 'client_secret_post' });
    const verifier = oauth.randomPKCECodeVerifier();
    const url = oauth.buildAuthorizationUrl(config, {
      redirect_uri: CHATGPT_REDIRECT_URI,
      scope: 'files:write',
      resource: RESOURCE,
      code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    });
    const result = await authorizeInBrowser(new TestBrowser(server.issuer), url, { email: EMAIL, password: PASSWORD });
    const tokens = await oauth.authorizationCodeGrant(config, new URL(result.location as string), { pkceCodeVerifier: verifier, expectedState: oauth.skipStateCheck }, { resource: RESOURCE });
    expect((await verifyAccessToken(tokens.access_token)).payload.scope).toBe('files:write');

    const refreshed = await oauth.refreshTokenGrant(config, tokens.refresh_token as string);
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);

    const introspected = await oauth.tokenIntrospection(config, refreshed.refresh_token as string);
    expect(introspected).toMatchObject({ active: true, client_id: config.clientMetadata().client_id, sub: userId });

    await oauth.tokenRevocation(config, refreshed.refresh_token as string);
    await expect(oauth.refreshTokenGrant(config, refreshed.refresh_token as string)).rejects.toMatchObject({ error: 'invalid_grant' });
    expect(await oauth.tokenIntrospection(config, refreshed.refresh_token as string)).toMatchObject({ active: false });
  });

  it('serves UserInfo (email, email_verified) to an OpenID-only client', async () => {
    const config = await registerClient(server.issuer, { redirect_uris: ['http://127.0.0.1:8765/callback'], token_endpoint_auth_method: 'none' });
    const verifier = oauth.randomPKCECodeVerifier();
    const nonce = oauth.randomNonce();
    const url = oauth.buildAuthorizationUrl(config, {
      redirect_uri: 'http://127.0.0.1:8765/callback',
      scope: 'openid email',
      nonce,
      code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    });
    const result = await authorizeInBrowser(new TestBrowser(server.issuer), url, { email: EMAIL, password: PASSWORD });
    const tokens = await oauth.authorizationCodeGrant(config, new URL(result.location as string), { pkceCodeVerifier: verifier, expectedNonce: nonce, expectedState: oauth.skipStateCheck });
    const info = await oauth.fetchUserInfo(config, tokens.access_token, userId);
    expect(info).toMatchObject({ sub: userId, email: EMAIL, email_verified: false });
  });

  it('exports obtainTokens for other apps\' tests', async () => {
    const obtained = await obtainTokens({ issuer: server.issuer, email: EMAIL, password: PASSWORD, resource: RESOURCE, scope: 'chat:write' });
    expect((await verifyAccessToken(obtained.accessToken)).payload.scope).toBe('chat:write');
  });
});
