// The auth app's Prometheus series, counted from real flows (DCR, CIMD, sign-in, code, refresh,
// refresh reuse, a sign-in backoff) and scraped from the real metrics listener.
import { sqlPool } from '@omnichat/db';
import { createTestDatabase, type TestDatabase } from '@omnichat/db/testing';
import { createAuthMetrics, startMetricsServer, type AuthMetrics, type MetricsServer } from '@omnichat/metrics';
import { parseExposition, sampleValue } from '@omnichat/metrics/testing';
import * as oauth from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { loadAuthConfig } from '../src/index.js';
import { TestBrowser, csrfFrom, CHATGPT_REDIRECT_URI, obtainTokens, type ObtainedTokens } from '@omnichat/testkit';
import { createUser, startAuthServer, type RunningAuthServer } from './helpers/auth-server.js';
import { startCimdHost, type CimdHost } from './helpers/cimd-host.js';

const RESOURCE = 'http://127.0.0.1:3996/mcp';
const USER = { email: 'metrics-user@example.com', password: 'a long password for metrics' };
const THROTTLED = { email: 'metrics-throttled@example.com', password: 'the right password here' };

let db: TestDatabase;
let host: CimdHost;
let metrics: AuthMetrics;
let listener: MetricsServer;
let server: RunningAuthServer;
let tokens: ObtainedTokens;
let userId = '';

const scrape = async () => (await fetch(listener.url)).text();

/** Signs in on /account (the other sign-in form) and returns the HTTP status. */
async function accountSignIn(email: string, password: string): Promise<number> {
  const browser = new TestBrowser(server.issuer);
  const page = await browser.request('/account');
  return (await browser.request('/account/login', { form: { csrf: csrfFrom(page.body), email, password } })).status;
}

beforeAll(async () => {
  db = await createTestDatabase();
  host = await startCimdHost();
  metrics = createAuthMetrics();
  listener = await startMetricsServer(metrics.registry, { host: '127.0.0.1', port: 0 });
  server = await startAuthServer({
    prisma: db.prisma,
    resourceUrl: RESOURCE,
    // One free failure per account, then a hold: the next attempt is refused for a while.
    env: { CIMD_DEV_ALLOW: host.origin, LIMIT_LOGIN_PER_ACCOUNT: '1/900' },
    devFetch: host.devFetch,
    deps: { metrics },
  });
  userId = await createUser(db.prisma, USER.email, USER.password);
  await createUser(db.prisma, THROTTLED.email, THROTTLED.password);

  // DCR + sign-in + consent + code, then two refreshes and the first refresh token again:
  // its successor was already used, so that is reuse and ends the grant.
  tokens = await obtainTokens({ issuer: server.issuer, ...USER, resource: RESOURCE, scope: 'files:read' });
  const first = tokens.refreshToken as string;
  const second = await oauth.refreshTokenGrant(tokens.config, first, { resource: RESOURCE });
  await oauth.refreshTokenGrant(tokens.config, second.refresh_token as string, { resource: RESOURCE });
  await expect(oauth.refreshTokenGrant(tokens.config, first, { resource: RESOURCE })).rejects.toThrow();

  // A bad sign-in, then the account's backoff hold refuses the next attempt, right password or not.
  expect(await accountSignIn(THROTTLED.email, 'wrong password')).toBe(401);
  expect(await accountSignIn(THROTTLED.email, THROTTLED.password)).toBe(429);

  // A CIMD client loaded twice: the document is fetched (and counted) once.
  host.routes.set('/oauth/client.json', { body: host.chatgptDocument('/oauth/client.json') });
  for (let i = 0; i < 2; i += 1) {
    const query = new URLSearchParams({
      response_type: 'code', client_id: `${host.origin}/oauth/client.json`, redirect_uri: CHATGPT_REDIRECT_URI, scope: 'files:read',
      resource: RESOURCE, code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256', state: 's',
    });
    const response = await fetch(`${server.issuer}/auth?${query}`, { redirect: 'manual' });
    expect(response.status).toBe(303);
  }

  // An unknown path with an id in it, answered by oidc-provider's catch-all.
  expect((await fetch(`${server.issuer}/clients/${tokens.clientId}/secret`)).status).toBe(404);
}, 60_000);

afterAll(async () => {
  await server?.close();
  await listener?.close();
  await host?.close();
  await db?.drop();
});

describe('auth app metrics', () => {
  it('counts tokens by grant type, sign-ins by outcome, registrations by kind, refresh reuse and rate limits', async () => {
    const body = await scrape();
    const value = (name: string, labels: Record<string, string> = {}) => sampleValue(body, name, { app: 'auth', ...labels });
    expect(value('omnichat_tokens_issued_total', { grant_type: 'authorization_code' })).toBe(1);
    expect(value('omnichat_tokens_issued_total', { grant_type: 'refresh_token' })).toBe(2);
    expect(value('omnichat_sign_ins_total', { outcome: 'succeeded' })).toBe(1);
    expect(value('omnichat_sign_ins_total', { outcome: 'bad_credentials' })).toBe(1);
    expect(value('omnichat_sign_ins_total', { outcome: 'rate_limited' })).toBe(1);
    expect(value('omnichat_client_registrations_total', { kind: 'dcr' })).toBe(1);
    expect(value('omnichat_client_registrations_total', { kind: 'cimd' })).toBe(1);
    expect(value('omnichat_refresh_reuse_detected_total')).toBe(1);
    expect(value('omnichat_rate_limited_total', { limit: 'login-account' })).toBe(1);
  });

  it('labels HTTP requests by route pattern, oidc-provider endpoints included, and unknown paths as unmatched', async () => {
    const body = await scrape();
    const requests = (route: string, status: string) => sampleValue(body, 'omnichat_http_requests_total', { app: 'auth', route, status });
    expect(requests('/register', '201')).toBe(1);
    expect(requests('/token', '200')).toBe(3);
    expect(requests('/token', '400')).toBe(1);
    expect(requests('/auth', '303')).toBeGreaterThanOrEqual(3);
    expect(requests('/interaction/:uid', '200')).toBeGreaterThanOrEqual(1);
    expect(requests('/account/login', '401')).toBe(1);
    expect(requests('/account/login', '429')).toBe(1);
    expect(requests('unmatched', '404')).toBe(1);
    const routes = new Set(parseExposition(body).filter((s) => s.name === 'omnichat_http_requests_total').map((s) => s.labels.route));
    for (const route of routes) expect(route, 'a route label is a pattern or "unmatched"').toMatch(/^(\/[a-z.:_-]*)+$|^unmatched$/);
  });

  it('exposes database pool gauges and the process metrics', async () => {
    const body = await scrape();
    expect(sampleValue(body, 'omnichat_db_pool_max_connections', { app: 'auth' })).toBe(sqlPool(db.prisma).options.max);
    expect(sampleValue(body, 'omnichat_db_pool_connections', { app: 'auth' })).toBeGreaterThanOrEqual(1);
    expect(sampleValue(body, 'omnichat_db_pool_waiting_requests', { app: 'auth' })).toBe(0);
    expect(sampleValue(body, 'process_cpu_user_seconds_total', { app: 'auth' })).toBeGreaterThan(0);
  });

  it('never carries a user, client id, token, code or path parameter', async () => {
    const body = await scrape();
    const secrets = [userId, USER.email, THROTTLED.email, tokens.clientId, tokens.accessToken, tokens.refreshToken as string, host.origin, '/clients/'];
    for (const secret of secrets) expect(body, secret).not.toContain(secret);
  });

  it('is not served on the public port: /metrics there is a 404', async () => {
    const response = await fetch(`${server.issuer}/metrics`);
    expect(response.status).toBe(404);
    expect(await response.text()).not.toContain('omnichat_');
  });
});

describe('refresh reuse without a grace window', () => {
  it('is counted when oidc-provider itself finds the rotated token used again', async () => {
    const own = createAuthMetrics();
    const strict = await startAuthServer({ prisma: db.prisma, resourceUrl: RESOURCE, env: { REFRESH_REUSE_GRACE_SECONDS: '0' }, deps: { metrics: own } });
    try {
      const linked = await obtainTokens({ issuer: strict.issuer, ...USER, resource: RESOURCE, scope: 'files:read' });
      await oauth.refreshTokenGrant(linked.config, linked.refreshToken as string, { resource: RESOURCE });
      await expect(oauth.refreshTokenGrant(linked.config, linked.refreshToken as string, { resource: RESOURCE })).rejects.toMatchObject({ error: 'invalid_grant' });
      const body = await own.registry.metrics();
      expect(sampleValue(body, 'omnichat_refresh_reuse_detected_total')).toBe(1);
      expect(sampleValue(body, 'omnichat_tokens_issued_total', { grant_type: 'refresh_token' })).toBe(1);
    } finally {
      await strict.close();
    }
  });
});

describe('auth metrics configuration', () => {
  const base = { ISSUER: 'http://127.0.0.1:4000' };

  it('listens on 127.0.0.1:9464 by default; 0 disables', () => {
    expect(loadAuthConfig(base).metrics).toEqual({ enabled: true, host: '127.0.0.1', port: 9464 });
    expect(loadAuthConfig({ ...base, AUTH_METRICS_PORT: '0' }).metrics).toEqual({ enabled: false });
    expect(loadAuthConfig({ ...base, METRICS_HOST: '10.0.0.5', AUTH_METRICS_PORT: '9100' }).metrics).toEqual({ enabled: true, host: '10.0.0.5', port: 9100 });
  });

  it.each([
    ['abc', /^AUTH_METRICS_PORT: /m],
    ['70000', /^AUTH_METRICS_PORT: /m],
    ['4000', /^AUTH_METRICS_PORT: must differ from AUTH_PORT \(4000\)/m],
  ])('refuses AUTH_METRICS_PORT=%s at boot', (port, message) => {
    expect(() => loadAuthConfig({ ...base, AUTH_METRICS_PORT: port })).toThrow(message);
  });

  it('a disabled listener installs no per-request timing', async () => {
    const quiet = createAuthMetrics();
    const off = await startAuthServer({ prisma: db.prisma, resourceUrl: RESOURCE, env: { AUTH_METRICS_PORT: '0' }, deps: { metrics: quiet } });
    try {
      await fetch(`${off.issuer}/jwks`);
      expect(quiet.registry.getSingleMetric('omnichat_http_requests_total')).toBeUndefined();
      expect(quiet.registry.getSingleMetric('omnichat_db_pool_connections')).toBeUndefined();
    } finally {
      await off.close();
    }
  });
});
