import { randomBytes } from 'node:crypto';

import * as oauth from 'openid-client';
import { describe, expect, it } from 'vitest';

import { authSuite } from './helpers/suite.js';
import { RU, authz, codeFor, pkce, publicClient, register, token, type Pkce } from '@omnichat/testkit';

// docs/security.md, cases of PKCE and of authorization codes. AS-12, 16–19 live in ../refusals.test.ts
// and single-use.test.ts; the rest are here. Time moves through the app's clock dep (AS-20).
const RESOURCE = 'http://127.0.0.1:3994/mcp';
const USER = { email: 'codes@example.com', password: 'a long and unguessable password' };

const suite = authSuite(RESOURCE, USER);

const redeem = (clientId: string, code: string, verifier: string | null) =>
  token(suite.base, { grant_type: 'authorization_code', code, redirect_uri: RU, client_id: clientId, ...(verifier === null ? {} : { code_verifier: verifier }) });

async function redirectParams(url: string): Promise<Record<string, string>> {
  const response = await fetch(url, { redirect: 'manual' });
  expect(response.status).toBe(303);
  const location = new URL(response.headers.get('location') as string);
  expect(`${location.origin}${location.pathname}`).toBe(RU);
  return Object.fromEntries(location.searchParams);
}

describe('A.2 PKCE', () => {
  it.each([
    ['42 characters', 'a'.repeat(42)],
    ['129 characters', 'a'.repeat(129)],
    ['characters outside [A-Za-z0-9._~-]', `abc+/=${'a'.repeat(40)}`],
  ])('AS-11 a malformed challenge (%s) is redirected back as invalid_request', async (_name, challenge) => {
    const clientId = await publicClient(suite.base);
    const params = await redirectParams(authz(suite.base, clientId, await pkce(), RESOURCE, { code_challenge: challenge }));
    expect(params).toMatchObject({ error: 'invalid_request', state: 's1', iss: suite.base });
    expect(params).not.toHaveProperty('code');
  });

  it('AS-13 a verifier omitted at the token endpoint: invalid_grant, and the code still works with it', async () => {
    const clientId = await publicClient(suite.base);
    const p = await pkce();
    const code = await codeFor(suite.base, clientId, p, RESOURCE, USER);
    expect(await redeem(clientId, code, null)).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    expect((await redeem(clientId, code, p.verifier)).status).toBe(200);
  });

  it('AS-14 PKCE downgrade: a verifier presented for a code stored without a challenge is refused', async () => {
    // No client can obtain such a code (AS-08: PKCE is required of every client), so plant one: a
    // real code's row copied under a new value, with its challenge removed.
    const clientId = await publicClient(suite.base);
    const code = await codeFor(suite.base, clientId, await pkce(), RESOURCE, USER);
    const row = await suite.db.prisma.oidcPayload.findUniqueOrThrow({ where: { model_id: { model: 'AuthorizationCode', id: code } } });
    const planted = randomBytes(32).toString('base64url');
    const { codeChallenge: _c, codeChallengeMethod: _m, ...payload } = row.payload as Record<string, unknown>;
    await suite.db.prisma.oidcPayload.create({ data: { model: 'AuthorizationCode', id: planted, payload: { ...payload, jti: planted }, grantId: row.grantId, expiresAt: row.expiresAt } });
    const downgraded = await redeem(clientId, planted, oauth.randomPKCECodeVerifier());
    expect(downgraded).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    // The planted code itself is sound: without a verifier it redeems (so the refusal above was PKCE's).
    expect((await redeem(clientId, planted, null)).status).toBe(200);
  });

  it.each([['abc'], ['a'.repeat(129)], [`${'a'.repeat(42)}+`]])('AS-15 a malformed verifier (%s) is refused before any lookup', async (verifier) => {
    const clientId = await publicClient(suite.base);
    const p: Pkce = await pkce();
    const code = await codeFor(suite.base, clientId, p, RESOURCE, USER);
    const result = await redeem(clientId, code, verifier);
    expect(result).toMatchObject({ status: 400, body: { error: 'invalid_request' } });
    expect((await redeem(clientId, code, p.verifier)).status).toBe(200);
  });
});

describe('A.3 authorization codes', () => {
  it('AS-20 an expired code: invalid_grant 61 s after issue (60 s TTL), without waiting', async () => {
    const clientId = await publicClient(suite.base);
    const p = await pkce();
    const code = await codeFor(suite.base, clientId, p, RESOURCE, USER);
    await suite.shifted(61_000, async () => {
      expect(await redeem(clientId, code, p.verifier)).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    });
  });

  it('AS-20 a code within its 60 s lifetime still redeems (the boundary is the TTL, not a race)', async () => {
    const clientId = await publicClient(suite.base);
    const p = await pkce();
    const code = await codeFor(suite.base, clientId, p, RESOURCE, USER);
    await suite.shifted(50_000, async () => {
      expect((await redeem(clientId, code, p.verifier)).status).toBe(200);
    });
  });

  it('AS-21 guessable artifacts: codes, refresh tokens and client ids are unique; opaque tokens carry 256 bits', async () => {
    const clientIds = await Promise.all(Array.from({ length: 100 }, async () => (await register(suite.base)).body.client_id as string));
    expect(new Set(clientIds).size).toBe(clientIds.length);

    const clientId = clientIds[0] as string;
    const codes: string[] = [];
    const refreshTokens: string[] = [];
    for (let i = 0; i < 3; i += 1) {
      const p = await pkce();
      const code = await codeFor(suite.base, clientId, p, RESOURCE, USER);
      codes.push(code);
      let rt = (await redeem(clientId, code, p.verifier)).body.refresh_token as string;
      refreshTokens.push(rt);
      for (let j = 0; j < 10; j += 1) {
        rt = (await token(suite.base, { grant_type: 'refresh_token', refresh_token: rt, client_id: clientId })).body.refresh_token as string;
        refreshTokens.push(rt);
      }
    }
    for (const values of [codes, refreshTokens]) {
      expect(new Set(values).size).toBe(values.length);
      // formats.bitsOfOpaqueRandomness 256 (the default, never lowered): 32 bytes = 43 base64url characters.
      for (const value of values) expect(value).toMatch(/^[A-Za-z0-9_-]{43,}$/);
    }
  });
});
