// Runs what docker-compose.yml runs, outside containers (the image's entry point would read
// DATABASE_URL and KEY_ENCRYPTION_SECRET from the secrets volume; here they are set directly): the
// migrate command on an empty database, then the auth and mcp commands with the compose
// environment (ports and URLs pointed at loopback), against the real Postgres. The servers run
// their production bundles, built here as the Dockerfile builds them (`pnpm build`).
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmptyTestDatabase, type EmptyTestDatabase } from '@omnichat/db/testing';

import { buildApps } from '../../scripts/build.js';
import { REPO_ROOT, freePort } from '@omnichat/testkit';
import { composeService, startService, waitReady, type ServiceProcess } from './helpers/service-process.js';

const SECRETS = { POSTGRES_PASSWORD: 'unused-outside-compose', KEY_ENCRYPTION_SECRET: 'compose-test-key-encryption-secret-0123456789' };
let db: EmptyTestDatabase;
let auth: ServiceProcess | undefined;
let mcp: ServiceProcess | undefined;
let authOrigin = '';
let mcpOrigin = '';

beforeAll(async () => {
  [db] = await Promise.all([createEmptyTestDatabase(), buildApps()]);
}, 60_000);

afterAll(async () => {
  for (const service of [auth, mcp]) {
    if (service && service.child.exitCode === null) {
      service.child.kill('SIGKILL');
      await service.exited;
    }
  }
  await db?.drop();
});

describe('the compose services run outside containers', () => {
  it('migrate applies every migration to an empty database and exits 0', async () => {
    const { argv, env } = composeService('migrate', SECRETS);
    const migrate = startService(argv, { ...env, DATABASE_URL: db.url });
    expect(await migrate.exited, migrate.output()).toBe(0);
    expect(migrate.output()).toMatch(/applied \d+ migration/);
  }, 120_000);

  it('auth and mcp start with the compose environment and report ready', async () => {
    const [authPort, mcpPort, authMetricsPort, mcpMetricsPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
    authOrigin = `http://127.0.0.1:${authPort}`;
    mcpOrigin = `http://127.0.0.1:${mcpPort}`;
    const urls = { ISSUER: authOrigin, RESOURCE_URL: `${mcpOrigin}/mcp` };

    const authService = composeService('auth', { ...SECRETS, ...urls });
    auth = startService(authService.argv, { ...authService.env, KEY_ENCRYPTION_SECRET: SECRETS.KEY_ENCRYPTION_SECRET, DATABASE_URL: db.url, AUTH_HOST: '127.0.0.1', AUTH_PORT: String(authPort), METRICS_HOST: '127.0.0.1', AUTH_METRICS_PORT: String(authMetricsPort), SHUTDOWN_DRAIN_SECONDS: '1' });
    await waitReady(`${authOrigin}/readyz`, auth);

    const mcpService = composeService('mcp', { ...SECRETS, ...urls });
    mcp = startService(mcpService.argv, { ...mcpService.env, KEY_ENCRYPTION_SECRET: SECRETS.KEY_ENCRYPTION_SECRET, DATABASE_URL: db.url, MCP_HOST: '127.0.0.1', MCP_PORT: String(mcpPort), METRICS_HOST: '127.0.0.1', MCP_METRICS_PORT: String(mcpMetricsPort), JWKS_URL: `${authOrigin}/jwks`, SHUTDOWN_DRAIN_SECONDS: '1' });
    await waitReady(`${mcpOrigin}/readyz`, mcp);

    // The bundles report the root package.json's version, read at start-up from the same file.
    const { version } = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
    for (const origin of [authOrigin, mcpOrigin]) expect(await (await fetch(`${origin}/healthz`)).json()).toEqual({ status: 'ok', version });

    const discovery = (await (await fetch(`${authOrigin}/.well-known/oauth-authorization-server`)).json()) as { issuer: string };
    expect(discovery.issuer).toBe(authOrigin);
    const prm = (await (await fetch(`${mcpOrigin}/.well-known/oauth-protected-resource/mcp`)).json()) as { resource: string };
    expect(prm.resource).toBe(`${mcpOrigin}/mcp`);
    // Metrics on their own ports (compose: the container network only), not on the public ones.
    for (const [origin, metricsPort, app] of [[authOrigin, authMetricsPort, 'auth'], [mcpOrigin, mcpMetricsPort, 'mcp']] as const) {
      const scraped = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
      expect(scraped.status).toBe(200);
      expect(await scraped.text()).toContain(`omnichat_db_pool_max_connections{app="${app}"}`);
      expect((await fetch(`${origin}/metrics`)).status).toBe(404);
    }
    // NODE_ENV=production from the compose file: no development-secret warning, JSON logs.
    expect(auth.output()).not.toContain('KEY_ENCRYPTION_SECRET is unset');
    expect(auth.output().split('\n').find((line) => line.includes('auth server listening'))).toMatch(/^\{.*"level":30/);
  }, 120_000);

  it.each([
    ['auth', () => auth, () => authOrigin, ['/.well-known/openid-configuration', '/jwks']],
    ['mcp', () => mcp, () => mcpOrigin, ['/.well-known/oauth-protected-resource/mcp', '/healthz']],
  ] as const)('%s on SIGTERM during a burst: readiness fails at once, no request is cut off, exit 0', async (_name, service, origin, paths) => {
    const running = service();
    expect(running, 'service not started').toBeDefined();
    if (!running) return;
    const base = origin();
    const request = (index: number) => fetch(`${base}${paths[index % paths.length]}`).then((response) => response.status, (error: Error) => `${error.message} ${String(error.cause)}`);

    const burst = Array.from({ length: 40 }, (_, index) => request(index));
    running.child.kill('SIGTERM');
    // Requests keep arriving while the load balancer notices readiness failing.
    const during: Promise<number | string>[] = [];
    let draining = false;
    for (let step = 0; step < 10; step += 1) {
      during.push(request(step));
      const ready = await fetch(`${base}/readyz`).then((response) => response.status, () => 0);
      if (ready === 503) draining = true;
      await new Promise((resolve) => setTimeout(resolve, 40));
    }
    const statuses = await Promise.all([...burst, ...during]);
    expect(statuses.filter((status) => status !== 200)).toEqual([]);
    expect(draining).toBe(true);
    expect(await running.exited).toBe(0);
    const log = running.output();
    expect(log).toContain('shutting down: readiness now fails');
    expect(log).toContain('in-flight requests drained');
    expect(log).toMatch(/"msg":"stopped"/);
  }, 60_000);
});

describe('bad configuration fails fast', () => {
  // Lines come in schema order: the variables shared through @omnichat/config first, then the app's own.
  it.each([
    ['auth', { ISSUER: 'not a url', AUTH_METRICS_PORT: 'metrics', KEY_ENCRYPTION_SECRET: 'short', ACCESS_TOKEN_TTL_SECONDS: '5' }, ['ISSUER:', 'KEY_ENCRYPTION_SECRET:', 'ACCESS_TOKEN_TTL_SECONDS:', 'AUTH_METRICS_PORT:']],
    ['mcp', { RESOURCE_URL: 'ftp://x/mcp', MCP_PORT: '70000', MCP_METRICS_PORT: '-1' }, ['RESOURCE_URL:', 'MCP_PORT:', 'MCP_METRICS_PORT:']],
  ] as const)('%s exits 1 with one line per problem and no stack trace', async (name, bad, expected) => {
    const { argv, env } = composeService(name, { ...SECRETS, ISSUER: 'http://127.0.0.1:1', RESOURCE_URL: 'http://127.0.0.1:2/mcp' });
    const started = Date.now();
    const run = startService(argv, { ...env, KEY_ENCRYPTION_SECRET: SECRETS.KEY_ENCRYPTION_SECRET, DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none', ...bad });
    expect(await run.exited).toBe(1);
    const lines = run.output().split('\n').filter((line) => line.trim() !== '' && !line.includes('Unsupported runtime'));
    expect(lines[0]).toMatch(/^invalid (auth|MCP) configuration:$/);
    expect(lines.slice(1).map((line) => line.split(' ')[0])).toEqual(expected);
    expect(run.output()).not.toMatch(/\n\s+at /);
    // Fails before touching the database (its URL here points at nothing).
    expect(Date.now() - started).toBeLessThan(15_000);
  }, 30_000);
});

describe('a start-up that fails after the database is reached', () => {
  it('auth with another KEY_ENCRYPTION_SECRET than its keys were sealed with: exit 1, names the key and the fix', async () => {
    // The database of the suite above holds keys sealed under SECRETS.KEY_ENCRYPTION_SECRET.
    const [port, metricsPort] = [await freePort(), await freePort()];
    const { argv, env } = composeService('auth', { ...SECRETS, ISSUER: `http://127.0.0.1:${port}`, RESOURCE_URL: 'http://127.0.0.1:2/mcp' });
    const run = startService(argv, { ...env, KEY_ENCRYPTION_SECRET: 'another-secret-than-the-keys-were-sealed-with', DATABASE_URL: db.url, AUTH_HOST: '127.0.0.1', AUTH_PORT: String(port), METRICS_HOST: '127.0.0.1', AUTH_METRICS_PORT: String(metricsPort) });
    expect(await run.exited, run.output()).toBe(1);
    expect(run.output()).toMatch(/start-up failed: Error: signing key \S+ does not open with this KEY_ENCRYPTION_SECRET: start with the secret the keys were sealed with/);
    // Nothing was left listening.
    expect(await fetch(`http://127.0.0.1:${port}/healthz`).then(() => 'answered', () => 'refused')).toBe('refused');
    expect(await fetch(`http://127.0.0.1:${metricsPort}/metrics`).then(() => 'answered', () => 'refused')).toBe('refused');
  }, 60_000);
});
