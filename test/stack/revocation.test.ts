/**
 * Immediate revocation (docs/security.md B.1) end to end: real tokens from the real auth app, a real MCP app
 * on the same Postgres, and the grant revoked the ways the auth app revokes grants. The MCP app's
 * clock is injected so the revocation bound (REVOCATION_CACHE_MS) is shown exactly, without sleeps.
 */
import * as oauth from 'openid-client';
import { createTestDatabase, type TestDatabase } from '@omnichat/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { revokeGrants } from '@omnichat/db/oidc-store';
import { createUser, startAuthServer, type RunningAuthServer } from '@omnichat/auth/testing';
import { TestBrowser, authorizeInBrowser, CHATGPT_REDIRECT_URI, obtainTokens, registerClient, freePort, postMcp, rpc } from '@omnichat/testkit';
import { startMcpServer, type RunningMcpServer } from '@omnichat/mcp/testing';

const REVOCATION_CACHE_MS = 2_000;
const quietRevoker = { log: { info: () => {} }, by: 'admin_cli' } as const;
const PASSWORD = 'correct horse battery staple';

let database: TestDatabase;
let auth: RunningAuthServer;
let mcp: RunningMcpServer;
let mcpNow = Date.now();
let email: string;

beforeAll(async () => {
  database = await createTestDatabase();
  const resourceUrl = `http://127.0.0.1:${await freePort()}/mcp`;
  auth = await startAuthServer({ prisma: database.prisma, resourceUrl });
  mcp = await startMcpServer({
    databaseUrl: database.url,
    issuer: auth.issuer,
    resourceUrl,
    revocationCacheMs: REVOCATION_CACHE_MS,
    now: () => mcpNow,
  });
  email = `revoke-${Date.now()}@example.com`;
  await createUser(database.prisma, email, PASSWORD);
});
afterAll(async () => {
  await mcp?.close();
  await auth?.close();
  await database?.drop();
});

const whoami = (token: string) => postMcp(mcp.url, rpc('tools/call', { name: 'whoami', arguments: {} }), { token });

function gidOf(token: string): string {
  return (JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { gid: string }).gid;
}

async function connect() {
  const tokens = await obtainTokens({ issuer: auth.issuer, email, password: PASSWORD, resource: mcp.url, scope: 'files:read' });
  mcpNow = Date.now();
  const first = await whoami(tokens.accessToken);
  expect(first.status).toBe(200);
  expect(first.body.result.isError).toBeUndefined();
  return tokens;
}

/** The old access token is refused at the latest one revocation bound after the revocation. */
async function expectRefusedWithinBound(accessToken: string) {
  mcpNow += REVOCATION_CACHE_MS;
  const reply = await whoami(accessToken);
  expect(reply.status).toBe(401);
  expect(reply.headers.get('www-authenticate')).toContain('error="invalid_token", error_description="The access token was revoked"');
}

describe('a revoked grant ends its access tokens within REVOCATION_CACHE_MS (docs/security.md B.1)', () => {
  it('revocation through @omnichat/db/oidc-store, as /account "disconnect" and `grants:revoke` do: refused within the bound, not before', async () => {
    const tokens = await connect();
    await revokeGrants(database.prisma, { grantIds: [gidOf(tokens.accessToken)] }, quietRevoker);
    // Inside the bound the cached status may still answer (this is what the bound buys: no query per call).
    mcpNow += REVOCATION_CACHE_MS - 1;
    expect((await whoami(tokens.accessToken)).status).toBe(200);
    mcpNow += 1;
    const reply = await whoami(tokens.accessToken);
    expect(reply.status).toBe(401);
    expect(reply.body).toEqual({ error: 'invalid_token', error_description: 'The access token was revoked' });
  });

  it('`pnpm admin grants:revoke --user` (and user:disable) ends every grant of the user', async () => {
    const first = await connect();
    const second = await connect();
    const userId = (await database.prisma.user.findUniqueOrThrow({ where: { email } })).id;
    expect(await revokeGrants(database.prisma, { accountId: userId }, quietRevoker)).toEqual(
      expect.arrayContaining([gidOf(first.accessToken), gidOf(second.accessToken)]),
    );
    await expectRefusedWithinBound(first.accessToken);
    expect((await whoami(second.accessToken)).status).toBe(401);
  });

  it('RFC 7009 revocation of the refresh token by the client revokes the grant and its access tokens', async () => {
    const tokens = await connect();
    await oauth.tokenRevocation(tokens.config, tokens.refreshToken!);
    await expectRefusedWithinBound(tokens.accessToken);
  });

  it('a replayed authorization code revokes the grant; the access token from the first redemption dies too (AS-16)', async () => {
    const config = await registerClient(auth.issuer, { redirect_uris: [CHATGPT_REDIRECT_URI], token_endpoint_auth_method: 'none' });
    const verifier = oauth.randomPKCECodeVerifier();
    const url = oauth.buildAuthorizationUrl(config, {
      redirect_uri: CHATGPT_REDIRECT_URI,
      scope: 'files:read',
      resource: mcp.url,
      code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    });
    const result = await authorizeInBrowser(new TestBrowser(auth.issuer), url, { email, password: PASSWORD });
    const callback = new URL(result.location!);
    const redeem = () => oauth.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier }, { resource: mcp.url });
    const tokens = await redeem();
    mcpNow = Date.now();
    expect((await whoami(tokens.access_token)).status).toBe(200);
    await expect(redeem()).rejects.toMatchObject({ error: 'invalid_grant' });
    await expectRefusedWithinBound(tokens.access_token);
  });

  it('a grant that is still live keeps working across many bounds (one lookup per bound, not per call)', async () => {
    const tokens = await connect();
    for (let i = 0; i < 3; i += 1) {
      mcpNow += REVOCATION_CACHE_MS;
      expect((await whoami(tokens.accessToken)).status).toBe(200);
    }
  });

  it('revoking one grant leaves the same user\'s other grants alone', async () => {
    const kept = await connect();
    const revoked = await connect();
    await oauth.tokenRevocation(revoked.config, revoked.refreshToken!);
    await expectRefusedWithinBound(revoked.accessToken);
    expect((await whoami(kept.accessToken)).status).toBe(200);
  });
});
