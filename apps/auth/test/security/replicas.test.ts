import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { createTestDatabase } from '@omnichat/db/testing';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { TestBrowser, csrfFrom, authz, pkce, publicClient, tokensFor } from '@omnichat/testkit';
import { createUser, startAuthServer, type RunningAuthServer } from '../helpers/auth-server.js';
import { startAuthProcess, type AuthProcess } from './helpers/auth-process.js';

// REL-3 (bounded) and AS-53: two auth instances, one in this process and one in another OS process,
// on one Postgres, behind a round-robin balancer with no sticky sessions: consecutive requests of a
// browser land on alternate instances, so every hop of a flow crosses between them.
const RESOURCE = 'http://127.0.0.1:3989/mcp';
const USER = { email: 'replicas@example.com', password: 'a long and unguessable password' };
const LIMITS = { LIMIT_LOGIN_PER_ACCOUNT: '3/900', LIMIT_LOGIN_PER_IP: '8/900' };

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let balancer: Server;
let issuer: string;
let a: RunningAuthServer;
let b: AuthProcess;
const served = { a: 0, b: 0 };

/** Round-robin, no stickiness: request n goes to instance n mod 2. */
function startBalancer(targets: () => Array<{ name: 'a' | 'b'; url: string }>): Promise<Server> {
  let next = 0;
  const server = createServer((incoming, outgoing) => {
    const target = targets()[next++ % 2] as { name: 'a' | 'b'; url: string };
    served[target.name] += 1;
    const upstream = request(new URL(incoming.url ?? '/', target.url), { method: incoming.method, headers: incoming.headers }, (response) => {
      outgoing.writeHead(response.statusCode ?? 502, response.headers);
      response.pipe(outgoing);
    });
    upstream.on('error', () => outgoing.writeHead(502).end());
    incoming.pipe(upstream);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

beforeAll(async () => {
  db = await createTestDatabase();
  balancer = await startBalancer(() => [{ name: 'a', url: `http://127.0.0.1:${a.config.port}` }, { name: 'b', url: b.url }]);
  issuer = `http://127.0.0.1:${(balancer.address() as AddressInfo).port}`;
  // Both instances answer for the balancer's address, as replicas behind a load balancer do.
  a = await startAuthServer({ prisma: db.prisma, resourceUrl: RESOURCE, env: { ISSUER: issuer, ...LIMITS } });
  b = await startAuthProcess({ databaseUrl: db.url, issuer, resourceUrl: RESOURCE, env: LIMITS });
  await createUser(db.prisma, USER.email, USER.password);
});

afterAll(async () => {
  balancer?.closeAllConnections();
  await new Promise<void>((resolve) => (balancer ? balancer.close(() => resolve()) : resolve()));
  await b?.stop();
  await a?.close();
  await db?.drop();
});

describe('two instances on one database', () => {
  it('REL-3 every hop of 8 full flows alternates between instances and all succeed; refresh works on either', async () => {
    const before = { ...served };
    for (let i = 0; i < 8; i += 1) {
      const clientId = await publicClient(issuer);
      const tokens = await tokensFor(issuer, clientId, RESOURCE, USER);
      expect(decodeJwt(tokens.access_token as string)).toMatchObject({ iss: issuer, aud: RESOURCE, client_id: clientId });
      const refreshed = await fetch(`${issuer}/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token as string, client_id: clientId }),
      });
      expect(refreshed.status).toBe(200);
    }
    expect(served.a - before.a).toBeGreaterThan(20);
    expect(served.b - before.b).toBeGreaterThan(20);
  });

  it('REL-3 a client registered on A is usable on B at once; /jwks and discovery are byte-identical', async () => {
    const direct = { a: `http://127.0.0.1:${a.config.port}`, b: b.url };
    const clientId = await publicClient(direct.a);
    const started = await fetch(authz(direct.b, clientId, await pkce(), RESOURCE), { redirect: 'manual' });
    expect(started.status).toBe(303);
    expect(started.headers.get('location')).toContain('/interaction/');
    for (const path of ['/jwks', '/.well-known/oauth-authorization-server', '/.well-known/openid-configuration']) {
      const [fromA, fromB] = await Promise.all([direct.a, direct.b].map(async (base) => (await fetch(`${base}${path}`)).text()));
      expect(fromB, path).toBe(fromA);
    }
  });

  it('AS-53 brute force split across both instances: the shared per-account backoff trips, with a bounded Retry-After', async () => {
    const browser = new TestBrowser(issuer);
    const page = await browser.follow(authz(issuer, await publicClient(issuer), await pkce(), RESOURCE));
    const uid = /interaction\/([^/"]+)\/login/.exec(page.body)?.[1] as string;
    const attempt = (email: string, password: string) => browser.request(`/interaction/${uid}/login`, { form: { csrf: csrfFrom(page.body), email, password } });

    const victim = 'victim@example.com';
    await createUser(db.prisma, victim, USER.password);
    const failures = [];
    for (let i = 0; i < 3; i += 1) failures.push((await attempt(victim, `guess ${i}`)).status);
    expect(failures).toEqual([401, 401, 401]);
    const throttled = await attempt(victim, 'guess 3');
    expect(throttled.status).toBe(429);
    const retryAfter = Number(throttled.headers.get('retry-after'));
    // Backoff, not a lock-out: the hold is seconds long and capped (5 min per account).
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(300);
    // During the hold even the right password is not checked (an attacker learns nothing).
    expect((await attempt(victim, USER.password)).status).toBe(429);
  });

  it('AS-53 credential stuffing from one address over many accounts trips the shared per-IP backoff', async () => {
    const browser = new TestBrowser(issuer);
    const page = await browser.follow(authz(issuer, await publicClient(issuer), await pkce(), RESOURCE));
    const uid = /interaction\/([^/"]+)\/login/.exec(page.body)?.[1] as string;
    const statuses = [];
    // The account test above already failed 3 times from this address; 8 are free.
    for (let i = 0; i < 6; i += 1) {
      statuses.push((await browser.request(`/interaction/${uid}/login`, { form: { csrf: csrfFrom(page.body), email: `stuffed${i}@example.com`, password: 'Password1' } })).status);
    }
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(statuses[5]).toBe(429);
  });
});
