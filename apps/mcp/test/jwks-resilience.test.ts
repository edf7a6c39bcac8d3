import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import type { JSONWebKeySet } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { InvalidTokenError } from '../src/auth/errors.js';
import { createResilientRemoteJwks } from '../src/auth/resilient-jwks.js';
import { createAccessTokenVerifier } from '../src/auth/verify-access-token.js';
import { createTestKey, jwksOf, mintAccessToken, type TestKey } from './helpers/test-keys.js';

const ISSUER = 'http://127.0.0.1:4999';
const AUDIENCE = 'http://127.0.0.1:3999/mcp';

/** A tiny JWKS endpoint on loopback that counts fetches and can be swapped or stopped. */
async function serveJwks(initial: JSONWebKeySet, port = 0) {
  let jwks = initial;
  let fetches = 0;
  const server: Server = createServer((_req, res) => {
    fetches += 1;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(jwks));
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const address = server.address() as AddressInfo;
  return {
    url: new URL(`http://127.0.0.1:${address.port}/jwks`),
    port: address.port,
    get fetches() {
      return fetches;
    },
    set(next: JSONWebKeySet) {
      jwks = next;
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const servers: Array<{ stop(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.allSettled(servers.splice(0).map((s) => s.stop()));
});

const mint = (key: TestKey) =>
  mintAccessToken(key, { issuer: ISSUER, audience: AUDIENCE, subject: randomUUID(), scope: 'files:read' });

function verifierFor(getKey: ReturnType<typeof createResilientRemoteJwks>) {
  // No verified-token cache: every call below really goes to the key set.
  return createAccessTokenVerifier({ issuer: ISSUER, audience: AUDIENCE, algorithms: ['RS256'], getKey, cacheEntries: 0 });
}

describe('stale-if-error JWKS (docs/security.md RS-11, REL-5)', () => {
  it('RS-11 keeps verifying with the cached keys after the JWKS endpoint goes down', async () => {
    const key = await createTestKey();
    const jwks = await serveJwks(jwksOf(key));
    const stale: unknown[] = [];
    // cacheMaxAge 0: every verification wants a fresh key set, as after ten idle minutes.
    const verifier = verifierFor(createResilientRemoteJwks(jwks.url, { cacheMaxAgeMs: 0, cooldownMs: 0, onStale: (e) => stale.push(e) }));

    await expect(verifier.verify(await mint(key))).resolves.toMatchObject({ scopes: ['files:read'] });
    expect(jwks.fetches).toBe(1);
    await jwks.stop();

    for (let i = 0; i < 3; i += 1) {
      await expect(verifier.verify(await mint(key))).resolves.toMatchObject({ clientId: 'test-client' });
    }
    expect(stale.length).toBeGreaterThan(0);
  });

  it('still refuses an unknown kid while the endpoint is down', async () => {
    const key = await createTestKey();
    const jwks = await serveJwks(jwksOf(key));
    const verifier = verifierFor(createResilientRemoteJwks(jwks.url, { cacheMaxAgeMs: 0, cooldownMs: 0 }));
    await verifier.verify(await mint(key));
    await jwks.stop();
    const stranger = await createTestKey();
    await expect(verifier.verify(await mint(stranger))).rejects.toMatchObject({ reason: 'unknown_kid' });
  });

  it('RS-09 picks up a new kid after rotation with one refetch, and uses fresh keys once the endpoint is back', async () => {
    const oldKey = await createTestKey();
    const newKey = await createTestKey();
    const jwks = await serveJwks(jwksOf(oldKey));
    servers.push(jwks);
    const verifier = verifierFor(createResilientRemoteJwks(jwks.url, { cooldownMs: 0 }));
    await verifier.verify(await mint(oldKey));
    expect(jwks.fetches).toBe(1);

    jwks.set(jwksOf(oldKey, newKey));
    await verifier.verify(await mint(newKey));
    expect(jwks.fetches).toBe(2);
    await verifier.verify(await mint(newKey));
    await verifier.verify(await mint(oldKey));
    expect(jwks.fetches).toBe(2);
  });

  it('fetches at most once per cool-down for a flood of unknown kids (RS-08)', async () => {
    const key = await createTestKey();
    const jwks = await serveJwks(jwksOf(key));
    servers.push(jwks);
    const verifier = verifierFor(createResilientRemoteJwks(jwks.url));
    await verifier.verify(await mint(key));
    const strangers = await Promise.all(Array.from({ length: 10 }, () => createTestKey()));
    const results = await Promise.allSettled(strangers.map(async (s) => verifier.verify(await mint(s))));
    expect(results.every((r) => r.status === 'rejected' && r.reason instanceof InvalidTokenError)).toBe(true);
    expect(jwks.fetches).toBe(1);
  });

  it('fails as unavailable (not invalid_token) when keys were never fetched', async () => {
    const key = await createTestKey();
    const jwks = await serveJwks(jwksOf(key));
    await jwks.stop();
    const verifier = verifierFor(createResilientRemoteJwks(jwks.url, { timeoutMs: 500 }));
    await expect(verifier.verify(await mint(key))).rejects.toMatchObject({ name: 'KeysUnavailableError' });
  });
});

describe('the verified-token cache in the verifier', () => {
  it('answers a repeated token without the key set and forgets it at exp', async () => {
    const key = await createTestKey();
    const jwks = await serveJwks(jwksOf(key));
    servers.push(jwks);
    let now = Date.now();
    let keyLookups = 0;
    const remote = createResilientRemoteJwks(jwks.url);
    const verifier = createAccessTokenVerifier({
      issuer: ISSUER,
      audience: AUDIENCE,
      algorithms: ['RS256'],
      getKey: async (header, token) => {
        keyLookups += 1;
        return remote(header, token);
      },
      now: () => now,
    });
    const token = await mintAccessToken(key, { issuer: ISSUER, audience: AUDIENCE, expiresIn: 60 });
    await verifier.verify(token);
    await verifier.verify(token);
    await verifier.verify(token);
    expect(keyLookups).toBe(1);
    expect(verifier.cache.size).toBe(1);

    now += 61_000; // past exp, still inside the 30 s clock tolerance: re-verified, not served from cache
    await verifier.verify(token);
    expect(keyLookups).toBe(2);
    now += 60_000; // past exp + tolerance
    await expect(verifier.verify(token)).rejects.toMatchObject({ reason: 'expired' });
  });

  it('serves a repeated token from the cache while the JWKS endpoint is down', async () => {
    const key = await createTestKey();
    const jwks = await serveJwks(jwksOf(key));
    const verifier = createAccessTokenVerifier({
      issuer: ISSUER, audience: AUDIENCE, algorithms: ['RS256'],
      getKey: createResilientRemoteJwks(jwks.url, { cacheMaxAgeMs: 0 }),
    });
    const token = await mint(key);
    await verifier.verify(token);
    await jwks.stop();
    await expect(verifier.verify(token)).resolves.toMatchObject({ scopes: ['files:read'] });
  });
});
