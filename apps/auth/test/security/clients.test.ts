import { createTestDatabase } from '@omnichat/db/testing';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { TestBrowser, csrfFrom, RU, authz, codeFor, pkce, publicClient, register } from '@omnichat/testkit';
import { createUser, startAuthServer, type RunningAuthServer } from '../helpers/auth-server.js';
import { startCimdHost, type CimdHost } from '../helpers/cimd-host.js';

// docs/security.md, dynamic registration (AS-46, 47; AS-39..45 are in ../refusals.test.ts and
// limits.test.ts), and client ID metadata documents (AS-48..52; the basics are in
// ../cimd.test.ts), plus AS-67 (client-assertion algorithms).
const RESOURCE = 'http://127.0.0.1:3990/mcp';
const USER = { email: 'clients@example.com', password: 'a long and unguessable password' };

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let host: CimdHost;
let server: RunningAuthServer;
let base: string;

beforeAll(async () => {
  db = await createTestDatabase();
  host = await startCimdHost();
  server = await startAuthServer({ prisma: db.prisma, resourceUrl: RESOURCE, env: { CIMD_DEV_ALLOW: host.origin }, devFetch: host.devFetch });
  base = server.issuer;
  await createUser(db.prisma, USER.email, USER.password);
});

afterAll(async () => {
  await server?.close();
  await host?.close();
  await db?.drop();
});

async function page(url: string) {
  const started = performance.now();
  const response = await fetch(url, { redirect: 'manual' });
  return { status: response.status, location: response.headers.get('location'), body: await response.text(), ms: performance.now() - started };
}

/** RENDER(E) for an authorization request by this client_id. */
async function expectRefusedClient(clientId: string, error: string | RegExp = 'invalid_client') {
  const result = await page(authz(base, clientId, await pkce(), RESOURCE));
  expect(result.status, clientId).toBe(400);
  expect(result.location).toBeNull();
  expect(result.body).toMatch(error);
  return result;
}

function serve(path: string, route: Parameters<CimdHost['routes']['set']>[1]): string {
  host.routes.set(path, route);
  return `${host.origin}${path}`;
}

describe('A.7 dynamic client registration', () => {
  it('AS-46 no registration management: no registration access token, and GET/PUT/DELETE /register/:id open nothing', async () => {
    const registered = await register(base);
    expect(registered.body).not.toHaveProperty('registration_access_token');
    expect(registered.body).not.toHaveProperty('registration_client_uri');
    const clientId = registered.body.client_id as string;
    for (const [method, authorization] of [['GET', undefined], ['GET', 'Bearer wrong'], ['PUT', 'Bearer wrong'], ['DELETE', 'Bearer wrong']] as const) {
      const response = await fetch(`${base}/register/${clientId}`, {
        method,
        headers: { ...(authorization ? { authorization } : {}), 'content-type': 'application/json' },
        ...(method === 'PUT' ? { body: JSON.stringify({ client_id: clientId, redirect_uris: ['https://evil.example/cb'] }) } : {}),
      });
      expect([401, 404, 405], `${method} ${authorization}`).toContain(response.status);
    }
    // Still registered, unchanged.
    const stored = await db.prisma.oidcPayload.findUniqueOrThrow({ where: { model_id: { model: 'Client', id: clientId } } });
    expect((stored.payload as { redirect_uris: string[] }).redirect_uris).toEqual([RU]);
  });

  it('AS-47 tightening the allow-list later: a stored client whose redirect is no longer allowed is refused as invalid_client', async () => {
    const loopback = await register(base, { redirect_uris: ['http://127.0.0.1:9999/cb'] });
    expect(loopback.status).toBe(201);
    const tightened = await startAuthServer({ prisma: db.prisma, resourceUrl: RESOURCE, env: { ALLOWED_REDIRECT_URIS: RU } });
    try {
      const clientId = loopback.body.client_id as string;
      const result = await page(authz(tightened.issuer, clientId, await pkce(), RESOURCE, { redirect_uri: 'http://127.0.0.1:9999/cb' }));
      expect(result.status).toBe(400);
      expect(result.location).toBeNull();
      expect(result.body).toMatch(/invalid_client|invalid_redirect_uri/);
      // A client still inside the allow-list is unaffected.
      expect((await page(authz(tightened.issuer, await publicClient(base), await pkce(), RESOURCE))).status).toBe(303);
    } finally {
      await tightened.close();
    }
  });
});

describe('A.8 client ID metadata documents', () => {
  it.each([
    'https://127.0.0.1/c.json', 'https://10.0.0.5/c.json', 'https://169.254.169.254/latest/meta-data', 'https://[::ffff:10.0.0.1]/c.json',
    'https://[::1]/c.json', 'https://localhost/c.json', 'https://0.0.0.0/c.json', 'https://2130706433/c.json',
  ])('AS-48 SSRF: a document at %s is never fetched (invalid_client, fast)', async (clientId) => {
    const result = await expectRefusedClient(clientId);
    expect(result.ms).toBeLessThan(3_000);
  });

  it('AS-49 a redirect is never followed, to an internal host or anywhere else', async () => {
    await expectRefusedClient(serve('/to-metadata.json', { status: 302, headers: { location: 'http://169.254.169.254/latest/meta-data' }, body: {} }));
    const target = '/redirect-target.json';
    serve(target, { body: host.chatgptDocument(target) });
    await expectRefusedClient(serve('/to-own-host.json', { status: 302, headers: { location: `${host.origin}${target}` }, body: {} }));
    expect(host.hits.get('/to-own-host.json')).toBeGreaterThan(0);
    expect(host.hits.get(target) ?? 0).toBe(0);
  });

  it('AS-50 a stalled document host is abandoned at oidc-provider\'s 2.5 s timeout', async () => {
    const clientId = serve('/stall.json', { handler: () => undefined });
    const result = await expectRefusedClient(clientId);
    expect(result.ms).toBeGreaterThan(2_000);
    // Upstream tries the client twice per authorization request (the request, then its error
    // handler deciding whether it may redirect): 2 × 2.5 s at most, never the host's pace.
    expect(result.ms).toBeLessThan(8_000);
  });

  it('AS-50 an endless body, and a huge Content-Length, stop at the 5120-byte cap', async () => {
    const endless = serve('/endless.json', {
      handler: (_request, response) => {
        response.writeHead(200, { 'content-type': 'application/json' });
        const chunk = Buffer.alloc(1024, 0x20);
        const timer = setInterval(() => {
          if (!response.write(chunk)) clearInterval(timer);
        }, 1);
        response.on('close', () => clearInterval(timer));
      },
    });
    const huge = serve('/huge.json', {
      handler: (_request, response) => {
        response.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000000000' });
        response.write('{"client_id":"');
      },
    });
    for (const clientId of [endless, huge]) {
      const result = await expectRefusedClient(clientId);
      expect(result.ms).toBeLessThan(3_500);
    }
  });

  it.each([
    ['a client_secret in the document', (path: string) => host.chatgptDocument(path, { client_secret: 's3cret', token_endpoint_auth_method: 'none' })],
    ['a client_secret_basic auth method', (path: string) => host.chatgptDocument(path, { token_endpoint_auth_method: 'client_secret_basic' })],
    ['no redirect_uris', (path: string) => host.chatgptDocument(path, { redirect_uris: [] })],
  ])('AS-51 invalid document content: %s', async (_name, document) => {
    const path = `/content-${Math.random().toString(36).slice(2)}.json`;
    await expectRefusedClient(serve(path, { body: document(path) }), /invalid_client|invalid_redirect_uri/);
  });

  it.each(['/a/../c.json', '/c.json#f'])('AS-51 a client_id URL with %s is refused before any fetch', async (path) => {
    const before = [...host.hits.values()].reduce((a, b) => a + b, 0);
    await expectRefusedClient(`${host.origin}${path}`);
    const userinfo = `${host.origin.replace('https://', 'https://user@')}/c.json`;
    await expectRefusedClient(userinfo);
    expect([...host.hits.values()].reduce((a, b) => a + b, 0)).toBe(before);
  });

  it('AS-52 the consent page warns about a loopback redirect and shows its host', async () => {
    const clientId = (await register(base, { redirect_uris: ['http://localhost:9999/cb'], client_name: 'ChatGPT' })).body.client_id as string;
    const browser = new TestBrowser(base);
    const login = await browser.follow(authz(base, clientId, await pkce(), RESOURCE, { redirect_uri: 'http://localhost:9999/cb' }));
    const uid = /interaction\/([^/"]+)\/login/.exec(login.body)?.[1] as string;
    const consent = await browser.follow(`/interaction/${uid}/login`, { form: { csrf: csrfFrom(login.body), email: USER.email, password: USER.password } });
    expect(consent.body).toContain('localhost:9999');
    expect(consent.body).toContain('runs on your own computer');
    expect(consent.body).toContain('has not reviewed it');
  });

  it('AS-52 fetch amplification: documents on one host are fetched at most LIMIT_CIMD_PER_HOST times per window', async () => {
    const limited = await startAuthServer({ prisma: db.prisma, resourceUrl: RESOURCE, env: { CIMD_DEV_ALLOW: host.origin, LIMIT_CIMD_PER_HOST: '3/600' }, devFetch: host.devFetch });
    try {
      await db.prisma.rateLimitCounter.deleteMany();
      const statuses = [];
      for (let i = 0; i < 6; i += 1) {
        const path = `/amplify-${i}.json`;
        const clientId = serve(path, { body: host.chatgptDocument(path) });
        statuses.push((await page(authz(limited.issuer, clientId, await pkce(), RESOURCE))).status);
      }
      const fetched = [0, 1, 2, 3, 4, 5].filter((i) => (host.hits.get(`/amplify-${i}.json`) ?? 0) > 0);
      expect(fetched).toHaveLength(3);
      expect(statuses.slice(3).every((status) => status >= 400 && status < 500)).toBe(true);
    } finally {
      await limited.close();
    }
  });
});

describe('A.10 client authentication', () => {
  it('AS-67 a client assertion signed HS256 with the client\'s public key, or unsigned, is invalid_client', async () => {
    const path = '/alg-confusion.json';
    const clientId = serve(path, { body: host.chatgptDocument(path) });
    const p = await pkce();
    const code = await codeFor(base, clientId, p, RESOURCE, USER);
    const publicKeyBytes = new TextEncoder().encode(JSON.stringify(host.publicJwk));
    const claims = () => new SignJWT({}).setIssuer(clientId).setSubject(clientId).setAudience(`${base}/token`).setJti(crypto.randomUUID()).setIssuedAt().setExpirationTime('60s');
    const forged = [
      await claims().setProtectedHeader({ alg: 'HS256', kid: host.publicJwk.kid as string }).sign(publicKeyBytes),
      await claims().setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode(host.publicJwk.n as string)),
    ];
    for (const assertion of forged) {
      const response = await fetch(`${base}/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'authorization_code', code, redirect_uri: RU, code_verifier: p.verifier, client_id: clientId,
          client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: assertion,
        }),
      });
      expect(response.status).toBe(401);
      expect(await response.json()).toMatchObject({ error: 'invalid_client' });
    }
  });
});
