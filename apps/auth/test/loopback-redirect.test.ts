import { createServer, type Server } from 'node:http';

import { createTestDatabase } from '@omnichat/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { redirectUriAllowed } from '../src/policy/loopback-redirect.js';
import { TestBrowser, csrfFrom, formActions, authz, pkce, register, token, type Pkce } from '@omnichat/testkit';
import { createUser, startAuthServer, type RunningAuthServer } from './helpers/auth-server.js';
import { startCimdHost, type CimdHost } from './helpers/cimd-host.js';

// RFC 8252 §7.3: a loopback redirect URI registered without a port is used on any port.
const RESOURCE = 'http://127.0.0.1:3994/mcp';
const USER = { email: 'loopback@example.com', password: 'a long loopback password' };

describe('loopback redirect matching (policy)', () => {
  const portless = ['http://localhost/callback', 'http://127.0.0.1/callback', 'http://[::1]/callback'];

  it.each([
    [portless, 'http://localhost/callback'],
    [portless, 'http://localhost:53682/callback'],
    [portless, 'http://127.0.0.1:1/callback'],
    [portless, 'http://[::1]:65535/callback'],
    [['http://localhost:6274/oauth/callback'], 'http://localhost:6274/oauth/callback'],
    [['http://localhost/cb?x=1'], 'http://localhost:4242/cb?x=1'],
    [['https://claude.ai/api/mcp/auth_callback'], 'https://claude.ai/api/mcp/auth_callback'],
  ])('allows %j → %s', (registered, candidate) => {
    expect(redirectUriAllowed(registered, candidate)).toBe(true);
  });

  it.each([
    ['a different port than the registered one', ['http://localhost:6274/oauth/callback'], 'http://localhost:6275/oauth/callback'],
    ['a port where the registered URI has another', ['http://127.0.0.1:9999/cb'], 'http://127.0.0.1:9998/cb'],
    ['another loopback host', ['http://localhost/callback'], 'http://127.0.0.1:4242/callback'],
    ['another path', portless, 'http://localhost:4242/callback/x'],
    ['a trailing slash', portless, 'http://localhost:4242/callback/'],
    ['an added query', portless, 'http://localhost:4242/callback?x=1'],
    ['a changed query', ['http://localhost/cb?x=1'], 'http://localhost:4242/cb?x=2'],
    ['a fragment', portless, 'http://localhost:4242/callback#f'],
    ['https on loopback', portless, 'https://localhost:4242/callback'],
    ['a non-loopback host with a port', ['https://claude.ai/api/mcp/auth_callback'], 'https://claude.ai:8443/api/mcp/auth_callback'],
    ['plain http to a non-loopback host with a port', ['http://example.com/cb'], 'http://example.com:8080/cb'],
    ['upper case', portless, 'http://LOCALHOST:4242/callback'],
    ['userinfo', portless, 'http://user@localhost:4242/callback'],
    ['a look-alike host', portless, 'http://localhost.evil.example:4242/callback'],
    ['an IPv4-mapped IPv6 address', ['http://[::1]/callback'], 'http://[::ffff:127.0.0.1]:4242/callback'],
    ['nothing at all', portless, undefined],
  ])('refuses %s', (_name, registered, candidate) => {
    expect(redirectUriAllowed(registered, candidate as string)).toBe(false);
  });
});

/** A native app's callback listener on a port the OS picks, as Claude Code and mcp-remote run one. */
async function callbackListener(host: string): Promise<{ port: number; received: URL[]; close(): Promise<void> }> {
  const received: URL[] = [];
  const server: Server = createServer((request, response) => {
    received.push(new URL(request.url ?? '/', 'http://loopback'));
    response.writeHead(200, { 'content-type': 'text/plain' }).end('You may close this window.');
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return {
    port: (server.address() as { port: number }).port,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let host: CimdHost;
let server: RunningAuthServer;

beforeAll(async () => {
  db = await createTestDatabase();
  host = await startCimdHost();
  server = await startAuthServer({ prisma: db.prisma, resourceUrl: RESOURCE, env: { CIMD_DEV_ALLOW: host.origin }, devFetch: host.devFetch });
  await createUser(db.prisma, USER.email, USER.password);
});

afterAll(async () => {
  await server?.close();
  await host?.close();
  await db?.drop();
});

/** Signs in and consents through our pages; returns the consent page and where we were sent. */
async function signInAndConsent(url: string): Promise<{ consent: string; location: string | undefined }> {
  const browser = new TestBrowser(server.issuer);
  let page = await browser.follow(url);
  let consent = '';
  for (let steps = 0; steps < 4 && !(page.status >= 300 && page.status < 400); steps += 1) {
    const actions = formActions(page.body);
    const login = actions.find((action) => action.endsWith('/login'));
    const confirm = actions.find((action) => action.endsWith('/confirm'));
    if (login) {
      page = await browser.follow(login, { form: { csrf: csrfFrom(page.body), ...USER } });
    } else if (confirm) {
      consent = page.body;
      page = await browser.follow(confirm, { form: { csrf: csrfFrom(page.body) } });
    } else {
      throw new Error(`stuck on ${page.status}: ${page.body.slice(0, 300)}`);
    }
  }
  return { consent, location: page.location };
}

/**
 * The whole flow on a port the OS picked: our pages, the callback delivered to a real listener, the
 * code redeemed with that same redirect_uri. `clientFor` registers once the port is known. Returns
 * the consent page (empty when an earlier grant made it unnecessary).
 */
async function completesOnRandomPort(listenHost: string, redirectFor: (port: number) => string, clientFor: (redirectUri: string) => Promise<string> | string): Promise<string> {
  const listener = await callbackListener(listenHost);
  try {
    const redirectUri = redirectFor(listener.port);
    const clientId = await clientFor(redirectUri);
    const p: Pkce = await pkce();
    const { consent, location } = await signInAndConsent(authz(server.issuer, clientId, p, RESOURCE, { redirect_uri: redirectUri }));
    expect(location?.startsWith(`${redirectUri}?`), location).toBe(true);
    expect((await fetch(location as string)).status).toBe(200);
    const code = listener.received[0]?.searchParams.get('code');
    expect(listener.received[0]?.searchParams.get('iss')).toBe(server.issuer);
    const tokens = await token(server.issuer, { grant_type: 'authorization_code', code: code as string, redirect_uri: redirectUri, code_verifier: p.verifier, client_id: clientId });
    expect(tokens.status).toBe(200);
    expect(tokens.body).toMatchObject({ token_type: 'Bearer', scope: 'files:read' });
    return consent;
  } finally {
    await listener.close();
  }
}

const LOOPBACK_WARNING = 'This app runs on your own computer';

async function rendered(url: string) {
  const response = await fetch(url, { redirect: 'manual' });
  return { status: response.status, location: response.headers.get('location'), body: await response.text() };
}

async function expectRefused(clientId: string, redirectUri: string) {
  const page = await rendered(authz(server.issuer, clientId, await pkce(), RESOURCE, { redirect_uri: redirectUri }));
  expect(page.status).toBe(400);
  expect(page.location).toBeNull();
  expect(page.body).toContain('invalid_redirect_uri');
}

async function registered(redirectUris: string[], extra: Record<string, unknown> = {}): Promise<string> {
  const { status, body } = await register(server.issuer, { redirect_uris: redirectUris, ...extra });
  expect(status, JSON.stringify(body)).toBe(201);
  return body.client_id as string;
}

describe('loopback redirects at /auth (RFC 8252 §7.3)', () => {
  it('a CIMD client with port-less loopback URIs and no application_type (Claude Code) signs in on a random port', async () => {
    const path = '/claude-code-client-metadata';
    host.routes.set(path, {
      body: {
        client_id: `${host.origin}${path}`,
        client_name: 'Claude Code',
        client_uri: 'https://claude.ai',
        redirect_uris: ['http://localhost/callback', 'http://127.0.0.1/callback'],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        token_endpoint_auth_method: 'none',
      },
    });
    const clientId = `${host.origin}${path}`;
    expect(await completesOnRandomPort('127.0.0.1', (port) => `http://127.0.0.1:${port}/callback`, () => clientId)).toContain(LOOPBACK_WARNING);
    // Consent is remembered for this account and client; the other host and another port still work.
    await completesOnRandomPort('localhost', (port) => `http://localhost:${port}/callback`, () => clientId);
    await expectRefused(clientId, 'http://127.0.0.1:4242/other');
    await expectRefused(clientId, 'http://127.0.0.1:4242/callback?x=1');
  });

  it('a DCR web client with a port-less loopback URI signs in on a random port', async () => {
    const consent = await completesOnRandomPort('localhost', (port) => `http://localhost:${port}/callback`, () => registered(['http://localhost/callback']));
    expect(consent).toContain(LOOPBACK_WARNING);
  });

  it('IPv6 loopback works, port-less or with its port, for web and native clients', async () => {
    const consent = await completesOnRandomPort('::1', (port) => `http://[::1]:${port}/callback`, () => registered(['http://[::1]/callback']));
    expect(consent).toContain(`${LOOPBACK_WARNING} ([::1]`);
    await completesOnRandomPort('::1', (port) => `http://[::1]:${port}/oauth/callback`, (uri) => registered([uri], { application_type: 'native' }));
  });

  it('a URI registered with a port matches only that port, native or not (mcp-remote, MCP Inspector)', async () => {
    for (const extra of [{}, { application_type: 'native' }]) {
      const clientId = await registered(['http://localhost:6274/oauth/callback'], extra);
      await expectRefused(clientId, 'http://localhost:6275/oauth/callback');
      await expectRefused(clientId, 'http://localhost/oauth/callback');
      const page = await rendered(authz(server.issuer, clientId, await pkce(), RESOURCE, { redirect_uri: 'http://localhost:6274/oauth/callback' }));
      expect(page.status).toBe(303);
      expect(page.location).toMatch(/^\/interaction\//);
    }
  });

  it('refuses a changed host, path, scheme or port off loopback', async () => {
    const loopback = await registered(['http://localhost/callback']);
    await expectRefused(loopback, 'http://127.0.0.1:4242/callback');
    await expectRefused(loopback, 'http://localhost:4242/callback/x');
    await expectRefused(loopback, 'https://localhost:4242/callback');
    await expectRefused(loopback, 'http://LOCALHOST:4242/callback');
    const claude = await registered(['https://claude.ai/api/mcp/auth_callback']);
    await expectRefused(claude, 'https://claude.ai:8443/api/mcp/auth_callback');
  });
});
