import { describe, expect, it } from 'vitest';

import { authSuite } from './helpers/suite.js';
import { publicClient, register, tokensFor, type Json } from '@omnichat/testkit';

// RFC 7662 of our own JWT access tokens (issue 14 §4): oidc-provider alone answers unsupported_token_type.
const RESOURCE = 'http://127.0.0.1:3993/mcp';
const USER = { email: 'introspect@example.com', password: 'a long introspection password' };

const suite = authSuite(RESOURCE, USER);

async function introspect(form: Record<string, string>): Promise<{ status: number; body: Json; cacheControl: string | null }> {
  const response = await fetch(`${suite.base}/token/introspection`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form),
  });
  return { status: response.status, body: (await response.json()) as Json, cacheControl: response.headers.get('cache-control') };
}

describe('introspection of JWT access tokens', () => {
  it('answers active with the token\'s claims for a live token', async () => {
    const clientId = await publicClient(suite.base);
    const tokens = await tokensFor(suite.base, clientId, RESOURCE, USER);
    const answer = await introspect({ token: tokens.access_token as string, client_id: clientId });
    expect(answer.status).toBe(200);
    expect(answer.cacheControl).toContain('no-store');
    expect(answer.body).toMatchObject({ active: true, client_id: clientId, aud: RESOURCE, iss: suite.base, token_type: 'Bearer', scope: 'files:read' });
    expect(answer.body.sub).toEqual(expect.any(String));
    expect(answer.body.exp as number).toBeGreaterThan(answer.body.iat as number);
  });

  it('answers inactive for an expired token, without saying why', async () => {
    const clientId = await publicClient(suite.base);
    const tokens = await tokensFor(suite.base, clientId, RESOURCE, USER);
    const answer = await suite.shifted(11 * 60_000, () => introspect({ token: tokens.access_token as string, client_id: clientId }));
    expect(answer).toMatchObject({ status: 200, body: { active: false } });
    expect(Object.keys(answer.body)).toEqual(['active']);
  });

  it('answers inactive once the grant is revoked (refresh token revoked by the client)', async () => {
    const clientId = await publicClient(suite.base);
    const tokens = await tokensFor(suite.base, clientId, RESOURCE, USER);
    expect((await introspect({ token: tokens.access_token as string, client_id: clientId })).body.active).toBe(true);
    const revoked = await fetch(`${suite.base}/token/revocation`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: tokens.refresh_token as string, client_id: clientId }),
    });
    expect(revoked.status).toBe(200);
    expect((await introspect({ token: tokens.access_token as string, client_id: clientId })).body).toEqual({ active: false });
  });

  it.each([
    ['garbage', 'not-a-token'],
    ['a JWT-shaped forgery', `${Buffer.from('{"alg":"RS256","typ":"at+jwt"}').toString('base64url')}.${Buffer.from('{"sub":"x"}').toString('base64url')}.AAAA`],
    ['an unsigned JWT', `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from('{"sub":"x"}').toString('base64url')}.`],
  ])('answers inactive for %s', async (_name, value) => {
    const clientId = await publicClient(suite.base);
    expect(await introspect({ token: value, client_id: clientId })).toMatchObject({ status: 200, body: { active: false } });
  });

  it('tells a public client nothing about another client\'s token', async () => {
    const owner = await publicClient(suite.base);
    const tokens = await tokensFor(suite.base, owner, RESOURCE, USER);
    const other = await publicClient(suite.base);
    expect((await introspect({ token: tokens.access_token as string, client_id: other })).body).toEqual({ active: false });
  });

  it('still authenticates the caller first: unknown or wrongly authenticated clients get invalid_client', async () => {
    const clientId = await publicClient(suite.base);
    const tokens = await tokensFor(suite.base, clientId, RESOURCE, USER);
    expect(await introspect({ token: tokens.access_token as string, client_id: 'nobody' })).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
    const confidential = await register(suite.base, { token_endpoint_auth_method: 'client_secret_post' });
    expect(await introspect({ token: tokens.access_token as string, client_id: confidential.body.client_id as string, client_secret: 'wrong' }))
      .toMatchObject({ status: 401, body: { error: 'invalid_client' } });
    // With its secret, a confidential client (a gateway) may introspect any of our tokens.
    expect((await introspect({ token: tokens.access_token as string, client_id: confidential.body.client_id as string, client_secret: confidential.body.client_secret as string })).body)
      .toMatchObject({ active: true, client_id: clientId });
  });
});
