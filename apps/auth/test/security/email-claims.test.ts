import { hashPassword } from '@omnichat/db';
import { describe, expect, it } from 'vitest';

import { TestBrowser, authorizeInBrowser, RU, authz, pkce, publicClient, token, type Json } from '@omnichat/testkit';
import { authSuite } from './helpers/suite.js';

// Issue 14 §4: UserInfo says `email` and `email_verified` from the account (ChatGPT's workspace
// domain restrictions need email_verified true); an admin-created account is verified unless
// `user:add --unverified` said otherwise (apps/admin/test/user-add-verified.test.ts).
const RESOURCE = 'http://127.0.0.1:3992/mcp';
const PASSWORD = 'a long email-claims password';
const suite = authSuite(RESOURCE, { email: 'unused@example.com', password: PASSWORD });

async function userinfoFor(email: string, verified: boolean): Promise<Json> {
  await suite.db.prisma.user.create({ data: { email, passwordHash: await hashPassword(PASSWORD), emailVerifiedAt: verified ? new Date() : null } });
  const clientId = await publicClient(suite.base);
  const p = await pkce();
  // openid + email alone: the grant has no resource scope, so the access token is for UserInfo.
  const result = await authorizeInBrowser(new TestBrowser(suite.base), authz(suite.base, clientId, p, RESOURCE, { scope: 'openid email', resource: null }), { email, password: PASSWORD });
  const code = URL.parse(result.location ?? '')?.searchParams.get('code') as string;
  const tokens = await token(suite.base, { grant_type: 'authorization_code', code, redirect_uri: RU, code_verifier: p.verifier, client_id: clientId });
  expect(tokens.status, JSON.stringify(tokens.body)).toBe(200);
  const response = await fetch(`${suite.base}/me`, { headers: { authorization: `Bearer ${tokens.body.access_token as string}` } });
  expect(response.status).toBe(200);
  return (await response.json()) as Json;
}

describe('email claims', () => {
  it('UserInfo says email_verified true for an account an admin vouched for', async () => {
    expect(await userinfoFor('verified@example.com', true)).toMatchObject({ email: 'verified@example.com', email_verified: true });
  });

  it('UserInfo says email_verified false for an account created --unverified', async () => {
    expect(await userinfoFor('unverified@example.com', false)).toMatchObject({ email: 'unverified@example.com', email_verified: false });
  });
});
