/**
 * docs/security.md §B rows about where verification keys come from: RS-06, RS-07, RS-08 (app level)
 * and RS-10. The app runs with its production key source (the remote, stale-if-error JWKS) against
 * a JWKS endpoint on loopback that counts fetches; an "attacker" endpoint counts any request.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT, type JSONWebKeySet } from 'jose';
import { createTestDatabase, type TestDatabase } from '@omnichat/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createResilientRemoteJwks } from '../../src/auth/resilient-jwks.js';
import { createAccessTokenVerifier } from '../../src/auth/verify-access-token.js';
import { createLiveGrant, TEST_ISSUER } from '../helpers/fixtures.js';
import { initializeMessage, postMcp } from '@omnichat/testkit';
import { startMcpServer, type RunningMcpServer } from '../helpers/start-mcp-server.js';
import { createTestKey, jwksOf, mintAccessToken, type TestKey } from '../helpers/test-keys.js';

type CountingServer = { url: string; hits: number; set(body: JSONWebKeySet): void; stop(): Promise<void> };

async function countingServer(initial: JSONWebKeySet = { keys: [] }): Promise<CountingServer> {
  let body = initial;
  const state = { hits: 0 };
  const server: Server = createServer((_req, res) => {
    state.hits += 1;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks`,
    get hits() {
      return state.hits;
    },
    set(next) {
      body = next;
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

let database: TestDatabase;
let key: TestKey;
let jwks: CountingServer;
let attacker: CountingServer;
let mcp: RunningMcpServer;

beforeAll(async () => {
  database = await createTestDatabase();
  key = await createTestKey();
  jwks = await countingServer(jwksOf(key));
  attacker = await countingServer();
  mcp = await startMcpServer({ databaseUrl: database.url, issuer: TEST_ISSUER, jwksUrl: jwks.url });
  // Prime the key set, as any first real call would.
  const reply = await postMcp(mcp.url, initializeMessage(), { token: await validToken() });
  expect(reply.status).toBe(200);
});
afterAll(async () => {
  await mcp?.close();
  await Promise.allSettled([jwks?.stop(), attacker?.stop()]);
  await database?.drop();
});

async function claims() {
  const now = Math.floor(Date.now() / 1000);
  return {
    iss: TEST_ISSUER, aud: mcp.url, sub: randomUUID(), client_id: 'c', scope: 'files:read',
    jti: randomUUID(), iat: now, exp: now + 300, gid: await createLiveGrant(database.prisma),
  };
}

async function validToken() {
  return mintAccessToken(key, { issuer: TEST_ISSUER, audience: mcp.url, claims: { gid: await createLiveGrant(database.prisma) } });
}

async function expect401(token: string) {
  const reply = await postMcp(mcp.url, initializeMessage(), { token });
  expect(reply.status).toBe(401);
  expect(reply.headers.get('www-authenticate')).toContain('error="invalid_token"');
}

describe('docs/security.md B: verification keys', () => {
  it('RS-06 key material from the header (jwk, jku, x5u, x5c) is never used and never fetched', async () => {
    const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
    const attackerJwk = await exportJWK(publicKey);
    const headers = [
      { jwk: attackerJwk },
      { jku: attacker.url },
      { x5u: attacker.url },
      { x5c: ['MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA'] },
      { kid: key.kid, jku: attacker.url },
    ];
    const jwksHitsBefore = jwks.hits;
    for (const extra of headers) {
      const token = await new SignJWT(await claims()).setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', ...extra }).sign(privateKey);
      await expect401(token);
    }
    expect(attacker.hits).toBe(0);
    // Unknown kids may cause at most one refetch of OUR key set per cool-down (RS-08), never more.
    expect(jwks.hits - jwksHitsBefore).toBeLessThanOrEqual(1);
  });

  it('RS-07 kid injection: path, SQL, a 10 KB kid and an encryption key\'s kid are only compared as strings', async () => {
    const hitsBefore = jwks.hits;
    for (const kid of ['../../../../dev/null', "' OR '1'='1", 'k'.repeat(10_000)]) {
      const token = await new SignJWT(await claims()).setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', kid }).sign(key.privateKey);
      await expect401(token);
    }
    expect(jwks.hits - hitsBefore).toBeLessThanOrEqual(1);
    expect((await postMcp(mcp.url, initializeMessage(), { token: await validToken() })).status).toBe(200);
  });

  it('RS-07 a key published for encryption (use "enc") never verifies a signature', async () => {
    const encKey = await createTestKey(`enc-${randomUUID()}`);
    const local = await countingServer({ keys: [{ ...encKey.publicJwk, use: 'enc' }] });
    try {
      const verifier = createAccessTokenVerifier({
        issuer: TEST_ISSUER, audience: mcp.url, algorithms: ['RS256'], cacheEntries: 0,
        getKey: createResilientRemoteJwks(new URL(local.url)),
      });
      const token = await mintAccessToken(encKey, { issuer: TEST_ISSUER, audience: mcp.url });
      await expect(verifier.verify(token)).rejects.toMatchObject({ name: 'InvalidTokenError' });
    } finally {
      await local.stop();
    }
  });

  it('RS-08 unknown-kid flood at the app: 1000 tokens with random kids are all 401 with at most one JWKS refetch', async () => {
    const hitsBefore = jwks.hits;
    // The kid lookup fails before any signature check, so one signed payload under 1000 random
    // headers is the same attack as 1000 separately signed tokens, without the signing cost.
    const stranger = await createTestKey();
    const signed = await new SignJWT(await claims()).setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', kid: 'x' }).sign(stranger.privateKey);
    const [, payload, signature] = signed.split('.');
    const tokens = Array.from({ length: 1_000 }, () => {
      const header = Buffer.from(JSON.stringify({ alg: 'RS256', typ: 'at+jwt', kid: `random-${randomUUID()}` })).toString('base64url');
      return `${header}.${payload}.${signature}`;
    });
    for (let i = 0; i < tokens.length; i += 100) {
      const replies = await Promise.all(tokens.slice(i, i + 100).map((token) => postMcp(mcp.url, initializeMessage(), { token })));
      expect(replies.every((reply) => reply.status === 401)).toBe(true);
    }
    expect(jwks.hits - hitsBefore).toBeLessThanOrEqual(1);
  }, 60_000);
});

describe('RS-10 a key removed from the JWKS', () => {
  it('RS-10 tokens signed with it are refused once the key set is refetched (window: cacheMaxAge, 10 min by default)', async () => {
    const keep = await createTestKey();
    const removed = await createTestKey();
    const local = await countingServer(jwksOf(keep, removed));
    try {
      // cacheMaxAgeMs 0 stands in for "10 minutes later"; the verified-token cache is off so the
      // key set is consulted on every call.
      const verifier = createAccessTokenVerifier({
        issuer: TEST_ISSUER, audience: mcp.url, algorithms: ['RS256'], cacheEntries: 0,
        getKey: createResilientRemoteJwks(new URL(local.url), { cacheMaxAgeMs: 0, cooldownMs: 0 }),
      });
      const token = await mintAccessToken(removed, { issuer: TEST_ISSUER, audience: mcp.url });
      await expect(verifier.verify(token)).resolves.toMatchObject({ clientId: 'test-client' });
      local.set(jwksOf(keep));
      await expect(verifier.verify(token)).rejects.toMatchObject({ reason: 'unknown_kid' });
      await expect(verifier.verify(await mintAccessToken(keep, { issuer: TEST_ISSUER, audience: mcp.url }))).resolves.toBeDefined();
    } finally {
      await local.stop();
    }
  });
});
