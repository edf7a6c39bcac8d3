// What the auth app writes to its log over a full flow (its real pino output, redaction included),
// and how it treats Host / X-Forwarded-* headers (docs/security.md AS-24).
import { request as httpRequest } from 'node:http';

import { createTestDatabase, type TestDatabase } from '@omnichat/db/testing';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { buildAuthApp, loadAuthConfig } from '../../src/index.js';
import { TEST_KEY_ENCRYPTION_SECRET, createUser } from '../helpers/auth-server.js';
import { TestBrowser, csrfFrom, formActions, authorizeInBrowser, obtainTokens, registerClient, register, freePort } from '@omnichat/testkit';

const PASSWORD = 'log-test password that must never be logged';
const RESOURCE = 'http://127.0.0.1:3999/mcp';
let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
  await createUser(db.prisma, 'logger@example.com', PASSWORD);
});
afterAll(async () => db?.drop());

async function start(env: Record<string, string> = {}): Promise<{ app: FastifyInstance; issuer: string; lines: string[] }> {
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const config = loadAuthConfig({ ISSUER: issuer, RESOURCE_URL: RESOURCE, KEY_ENCRYPTION_SECRET: TEST_KEY_ENCRYPTION_SECRET, LOG_LEVEL: 'info', ...env });
  const lines: string[] = [];
  const app = await buildAuthApp(config, { prisma: db.prisma, logStream: { write: (line) => lines.push(line) } });
  await app.listen({ host: '127.0.0.1', port });
  return { app, issuer, lines };
}

describe('logs of a full flow', () => {
  let server: Awaited<ReturnType<typeof start>>;
  beforeAll(async () => {
    server = await start();
  });
  afterAll(async () => server?.app.close());

  it('hold the audit trail with request ids and no password, code, token, client secret or cookie value', async () => {
    const { issuer, lines } = server;
    const secrets: string[] = [PASSWORD];

    // A failed sign-in, then the whole flow: DCR, sign-in, consent, code exchange.
    const failing = new TestBrowser(issuer);
    const confidential = await registerClient(issuer, { redirect_uris: ['https://chatgpt.com/connector_platform_oauth_redirect'], token_endpoint_auth_method: 'client_secret_post' });
    secrets.push(String(confidential.clientMetadata().client_secret));
    const oauth = await import('openid-client');
    const deniedUrl = oauth.buildAuthorizationUrl(confidential, { redirect_uri: 'https://chatgpt.com/connector_platform_oauth_redirect', resource: RESOURCE, code_challenge: await oauth.calculatePKCECodeChallenge(oauth.randomPKCECodeVerifier()), code_challenge_method: 'S256' });
    const loginPage = await failing.follow(String(deniedUrl));
    const loginAction = formActions(loginPage.body).find((action) => action.endsWith('/login')) ?? '';
    const refused = await failing.follow(loginAction, { form: { csrf: csrfFrom(loginPage.body), email: 'logger@example.com', password: 'wrong password entirely' } });
    expect(refused.status).toBe(401);
    await authorizeInBrowser(failing, deniedUrl, { email: 'logger@example.com', password: PASSWORD, decision: 'deny' });

    const tokens = await obtainTokens({ issuer, email: 'logger@example.com', password: PASSWORD, resource: RESOURCE });
    secrets.push(tokens.accessToken, tokens.refreshToken ?? '');
    const refreshed = await oauth.refreshTokenGrant(tokens.config, tokens.refreshToken ?? '', { resource: RESOURCE });
    secrets.push(refreshed.access_token, refreshed.refresh_token ?? '');
    await oauth.tokenRevocation(tokens.config, refreshed.refresh_token ?? '');

    // Codes: capture one by hand (obtainTokens redeems its own inside).
    const verifier = oauth.randomPKCECodeVerifier();
    const url = oauth.buildAuthorizationUrl(tokens.config, { redirect_uri: 'https://chatgpt.com/connector_platform_oauth_redirect', resource: RESOURCE, code_challenge: await oauth.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256' });
    const redirect = await authorizeInBrowser(tokens.browser, url, { email: 'logger@example.com', password: PASSWORD });
    const code = new URL(redirect.location ?? '').searchParams.get('code') ?? '';
    expect(code).not.toBe('');
    secrets.push(code, verifier);
    // Every cookie value is secret except `_interaction` / `_interaction_resume`: oidc-provider sets
    // them to the interaction uid, which is in the page URL anyway and opens nothing without the
    // signature cookies (AS-58), which are checked here like the session cookie.
    let cookies = 0;
    for (const browser of [failing, tokens.browser]) {
      for (const cookie of (browser as unknown as { cookies: { name: string; value: string }[] }).cookies) {
        if (/^_interaction(_resume)?$/.test(cookie.name) || cookie.value.length < 8) continue;
        secrets.push(cookie.value);
        cookies += 1;
      }
    }
    expect(cookies).toBeGreaterThanOrEqual(2);

    const log = lines.join('');
    expect(secrets.filter((secret) => secret.length >= 8)).toHaveLength(secrets.length);
    for (const secret of secrets) {
      const at = log.indexOf(secret);
      expect(at, `a secret reached the log: …${log.slice(Math.max(0, at - 300), at + 20)}`).toBe(-1);
    }

    const entries = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    const audit = entries.filter((entry) => entry.audit === true);
    expect(new Set(audit.map((entry) => entry.event))).toEqual(
      new Set(['client.registered', 'sign_in.failed', 'sign_in.succeeded', 'consent.denied', 'consent.granted', 'grant.revoked']),
    );
    // Every audit line of a request carries that request's id.
    expect(audit.every((entry) => typeof entry.reqId === 'string' || entry.event === 'grant.revoked' || entry.event === 'client.registered')).toBe(true);
    // One access line per request (AccessLogController), with its request id, method, path and status.
    const access = entries.filter((entry) => entry.msg === 'request completed');
    expect(access.length).toBeGreaterThan(5);
    expect(entries.some((entry) => entry.msg === 'incoming request')).toBe(false);
    for (const entry of access) {
      expect(typeof entry.reqId).toBe('string');
      expect(entry.req).toMatchObject({ method: expect.any(String), url: expect.any(String) });
      expect(entry.res).toMatchObject({ statusCode: expect.any(Number) });
    }
    const headers = entries.flatMap((entry) => [(entry.req as { headers?: Record<string, string> } | undefined)?.headers]).filter(Boolean);
    for (const header of headers) {
      if (header?.cookie !== undefined) expect(header.cookie).toBe('[Redacted]');
      if (header?.authorization !== undefined) expect(header.authorization).toBe('[Redacted]');
    }
  }, 60_000);
});

/** A raw request with exactly these headers (fetch would not let us set Host). */
function rawGet(origin: string, path: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  const url = new URL(path, origin);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: url.hostname, port: url.port, path: url.pathname, headers }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('AS-24: Host and X-Forwarded-* never change the advertised endpoints', () => {
  it.each([
    ['no proxy trusted', {}],
    ['TRUST_PROXY=loopback', { TRUST_PROXY: 'loopback' }],
  ])('with %s, discovery names only ISSUER whatever the headers say', async (_label, env) => {
    const server = await start(env);
    try {
      const attempts: Record<string, string>[] = [
        { host: 'evil.example' },
        { host: new URL(server.issuer).host, 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https' },
        { host: 'evil.example:8443', 'x-forwarded-host': 'evil.example', forwarded: 'host=evil.example;proto=https' },
      ];
      for (const headers of attempts) {
        for (const path of ['/.well-known/openid-configuration', '/.well-known/oauth-authorization-server']) {
          const reply = await rawGet(server.issuer, path, headers);
          expect(reply.status).toBe(200);
          expect(reply.body).not.toContain('evil.example');
          const metadata = JSON.parse(reply.body) as Record<string, unknown>;
          expect(metadata.issuer).toBe(server.issuer);
          for (const [key, value] of Object.entries(metadata)) {
            if (key.endsWith('_endpoint') || key === 'jwks_uri') expect(String(value).startsWith(`${server.issuer}/`), `${key}=${String(value)}`).toBe(true);
          }
        }
      }
    } finally {
      await server.app.close();
    }
  }, 30_000);
});

describe('TRUST_PROXY (issue 17 §5)', () => {
  const base = { ISSUER: 'http://127.0.0.1:3000', RESOURCE_URL: RESOURCE, KEY_ENCRYPTION_SECRET: TEST_KEY_ENCRYPTION_SECRET };

  it.each(['2', '1', 'true', ' true '])('refuses TRUST_PROXY=%j at boot, saying it re-enables X-Forwarded-For spoofing', (value) => {
    expect(() => loadAuthConfig({ ...base, TRUST_PROXY: value })).toThrow(/TRUST_PROXY.*refused.*forge X-Forwarded-For/);
  });

  it.each(['10.0.0.0/33', '::1/129', 'evil.example', '10.0.0.1/8/8', 'loopback,*'])('refuses TRUST_PROXY=%j (not an address, CIDR or proxy-addr name)', (value) => {
    expect(() => loadAuthConfig({ ...base, TRUST_PROXY: value })).toThrow(/TRUST_PROXY.*not an address, a CIDR/);
  });

  it.each([
    ['', false],
    ['false', false],
    ['loopback', ['loopback']],
    ['10.0.0.1, 192.168.0.0/16,fd00::/8 ,uniquelocal,linklocal', ['10.0.0.1', '192.168.0.0/16', 'fd00::/8', 'uniquelocal', 'linklocal']],
  ])('accepts TRUST_PROXY=%j', (value, trustProxy) => {
    expect(loadAuthConfig({ ...base, TRUST_PROXY: value }).trustProxy).toEqual(trustProxy);
  });

  it('a client that is not a trusted proxy cannot move the per-IP limit with a forged X-Forwarded-For', async () => {
    await db.prisma.rateLimitCounter.deleteMany();
    // The trusted proxy is elsewhere; this test's requests come straight from 127.0.0.1.
    const server = await start({ TRUST_PROXY: '192.0.2.10,uniquelocal', LIMIT_REGISTER_PER_IP: '2/600', LOG_LEVEL: 'silent' });
    try {
      const statuses = [];
      for (let i = 0; i < 4; i += 1) statuses.push((await register(server.issuer, {}, { 'x-forwarded-for': `203.0.113.${i}, 192.0.2.10` })).status);
      expect(statuses).toEqual([201, 201, 429, 429]);
    } finally {
      await server.app.close();
    }
  }, 30_000);
});
