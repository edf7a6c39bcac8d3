// A leaked signing key pulled with `pnpm admin keys:revoke`, with real servers on one real Postgres:
// two auth replicas (one public issuer) and the MCP app verifying with the auth app's JWKS over
// HTTP, jose's default 10-minute cache included. Bounds under test (scaled down like key-rotation's):
// KEY_SET_POLL_SECONDS for every auth replica, KEY_REVOCATION_POLL_SECONDS for the MCP app.
import { randomUUID } from 'node:crypto';

import { createTestDatabase, type TestDatabase } from '@omnichat/db/testing';
import { decodeJwt, decodeProtectedHeader, importJWK, SignJWT, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { loadSigningKeys } from '@omnichat/signing-keys';
import { TEST_KEY_ENCRYPTION_SECRET, createUser, startAuthServer, type RunningAuthServer } from '@omnichat/auth/testing';
import { obtainTokens, freePort, postMcp, rpc } from '@omnichat/testkit';
import { startMcpServer, type RunningMcpServer } from '@omnichat/mcp/testing';
import { admin } from '@omnichat/admin/testing';

const EMAIL = 'revoker@example.com';
const PASSWORD = 'key revocation test password';
const POLL_SECONDS = 0.2;
/** The stated bound (one poll) plus room for a query and a loaded CI machine. */
const BOUND_MS = POLL_SECONDS * 1000 + 800;
const AUTH_ENV = { KEY_SET_POLL_SECONDS: String(POLL_SECONDS), KEY_ROTATION_DAYS: '0' };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const publishedKids = async (origin: string) => ((await (await fetch(`${origin}/jwks`)).json()) as { keys: { kid: string }[] }).keys.map((key) => key.kid);
const introspectionActive = async (origin: string, token: string, clientId: string) =>
  ((await (await fetch(`${origin}/token/introspection`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ token, client_id: clientId }) })).json()) as { active: boolean }).active;
const whoamiStatus = async (url: string, token: string) => (await postMcp(url, rpc('tools/call', { name: 'whoami', arguments: {} }), { token })).status;

async function until(what: string, probe: () => Promise<boolean>, timeoutMs: number): Promise<number> {
  const started = Date.now();
  while (!(await probe())) {
    if (Date.now() - started > timeoutMs) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(20);
  }
  return Date.now() - started;
}

let db: TestDatabase;
let a: RunningAuthServer;
let b: RunningAuthServer;
let mcp: RunningMcpServer;
beforeAll(async () => {
  db = await createTestDatabase();
  await createUser(db.prisma, EMAIL, PASSWORD);
  const resourceUrl = `http://127.0.0.1:${await freePort()}/mcp`;
  a = await startAuthServer({ prisma: db.prisma, resourceUrl, env: AUTH_ENV });
  b = await startAuthServer({ prisma: db.prisma, resourceUrl, env: { ...AUTH_ENV, ISSUER: a.issuer } });
  // The production key source: JWKS_URL (A's /jwks) through jose's remote set, 10-minute cache.
  mcp = await startMcpServer({ databaseUrl: db.url, issuer: a.issuer, resourceUrl, env: { KEY_REVOCATION_POLL_SECONDS: String(POLL_SECONDS) } });
});
afterAll(async () => {
  await mcp?.close();
  await b?.close();
  await a?.close();
  await db?.drop();
});

describe('pnpm admin keys:revoke with two auth replicas and the MCP app', () => {
  it('drops the key from every /jwks and makes the MCP app refuse its tokens, minted ones too, within the poll bounds; the promoted key keeps the client working', async () => {
    const tokens = await obtainTokens({ issuer: a.issuer, email: EMAIL, password: PASSWORD, resource: mcp.url });
    const leaked = decodeProtectedHeader(tokens.accessToken).kid ?? '';
    expect(await whoamiStatus(mcp.url, tokens.accessToken)).toBe(200);
    expect(await publishedKids(b.issuer)).toContain(leaked);
    expect(await introspectionActive(b.issuer, tokens.accessToken, tokens.clientId)).toBe(true);
    // What an attacker holding the leaked private half can do: mint a fresh token of any lifetime.
    const privateJwk = (await loadSigningKeys(db.prisma, TEST_KEY_ENCRYPTION_SECRET)).keys.find((key) => key.kid === leaked) as JWK;
    const mint = async () =>
      new SignJWT({ ...decodeJwt(tokens.accessToken), jti: randomUUID() })
        .setProtectedHeader({ alg: 'RS256', kid: leaked, typ: 'at+jwt' })
        .setIssuedAt()
        .setExpirationTime('1h')
        .sign(await importJWK(privateJwk, 'RS256'));
    expect(await whoamiStatus(mcp.url, await mint())).toBe(200);

    const run = await admin(db.prisma, ['keys:revoke', leaked, '--json'], { env: { KEY_ENCRYPTION_SECRET: TEST_KEY_ENCRYPTION_SECRET, ...AUTH_ENV } });
    expect(run.code, run.stderr).toBe(0);
    const revoked = JSON.parse(run.stdout) as { currentKid: string; nextKid: string };
    expect(run.audit).toEqual([expect.objectContaining({ audit: true, event: 'key.revoked', kid: leaked, wasState: 'current', by: 'admin_cli' })]);

    const bounds = await Promise.all([
      until('A stops publishing it', async () => !(await publishedKids(a.issuer)).includes(leaked), 5_000),
      until('B stops publishing it', async () => !(await publishedKids(b.issuer)).includes(leaked), 5_000),
      until('A answers its tokens inactive', async () => !(await introspectionActive(a.issuer, tokens.accessToken, tokens.clientId)), 5_000),
      until('B answers its tokens inactive', async () => !(await introspectionActive(b.issuer, tokens.accessToken, tokens.clientId)), 5_000),
      until('the MCP app refuses its tokens', async () => (await whoamiStatus(mcp.url, tokens.accessToken)) === 401, 5_000),
    ]);
    expect(Math.max(...bounds)).toBeLessThan(BOUND_MS);
    // The MCP app's JWKS copy still holds the key (no refetch was needed); the revoked-kid list refuses it anyway.
    expect(await whoamiStatus(mcp.url, await mint())).toBe(401);
    expect(await publishedKids(b.issuer)).toEqual([revoked.currentKid, revoked.nextKid]);

    // The client refreshes on either replica and carries on with the promoted key.
    const response = await fetch(`${b.issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: tokens.refreshToken ?? '', client_id: tokens.clientId }),
    });
    const body = (await response.json()) as { access_token: string };
    expect(response.status, JSON.stringify(body)).toBe(200);
    expect(decodeProtectedHeader(body.access_token).kid).toBe(revoked.currentKid);
    expect(await whoamiStatus(mcp.url, body.access_token)).toBe(200);
  }, 60_000);
});
