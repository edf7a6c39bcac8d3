// The MCP app's Prometheus series from real calls on a real server, scraped from the real
// metrics listener: tool calls by tool and outcome, JWKS fetch failures, HTTP series, pool gauges.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';

import { sqlPool } from '@omnichat/db';
import { createTestDatabase, type TestDatabase } from '@omnichat/db/testing';
import { createMcpMetrics, startMetricsServer, type McpMetrics, type MetricsServer } from '@omnichat/metrics';
import { parseExposition, sampleValue } from '@omnichat/metrics/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { loadMcpConfig } from '../src/index.js';
import { createLiveGrant, TEST_ISSUER } from './helpers/fixtures.js';
import { callTool, postMcp, rpc } from '@omnichat/testkit';
import { startMcpServer, type RunningMcpServer } from './helpers/start-mcp-server.js';
import { createTestKey, jwksOf, mintAccessToken, type TestKey } from './helpers/test-keys.js';

let database: TestDatabase;
let key: TestKey;
let jwks: Server;
let jwksUp = true;
let refusedFetches = 0;
let metrics: McpMetrics;
let listener: MetricsServer;
let mcp: RunningMcpServer;
const subject = randomUUID();
let token = '';

const scrape = async () => (await fetch(listener.url)).text();

beforeAll(async () => {
  database = await createTestDatabase();
  key = await createTestKey();
  // The auth app's JWKS, which can be made to fail.
  jwks = createServer((_request, response) => {
    if (jwksUp) response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(jwksOf(key)));
    else {
      refusedFetches += 1;
      response.writeHead(503).end();
    }
  });
  await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
  metrics = createMcpMetrics();
  listener = await startMetricsServer(metrics.registry, { host: '127.0.0.1', port: 0 });
  mcp = await startMcpServer({
    databaseUrl: database.url,
    issuer: TEST_ISSUER,
    jwksUrl: `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/jwks`,
    requireAuth: false,
    metrics,
  });
  token = await mintAccessToken(key, { issuer: TEST_ISSUER, audience: mcp.url, subject, scope: 'files:read', claims: { gid: await createLiveGrant(database.prisma) } });
});

afterAll(async () => {
  await mcp?.close();
  await listener?.close();
  await new Promise((resolve) => jwks?.close(resolve));
  await database?.drop();
});

describe('MCP app metrics', () => {
  it('counts tool calls by registered tool and outcome; a made-up tool name is never a label', async () => {
    expect((await callTool(mcp.url, 'whoami', {}, token)).isError).toBeUndefined();
    expect((await callTool(mcp.url, 'whoami', {}, token)).isError).toBeUndefined();
    expect((await callTool(mcp.url, 'public_search', { query: 'x' })).isError).toBeUndefined();
    // Anonymous, on a tool that needs a sign-in (mixed mode: a challenge result).
    expect((await callTool(mcp.url, 'whoami', {})).isError).toBe(true);
    // Valid token, wrong arguments; a tool refusal (no such file).
    expect((await callTool(mcp.url, 'private_files_read', { path: 42 }, token)).isError).toBe(true);
    expect((await callTool(mcp.url, 'private_files_read', { path: 'nope.txt' }, token)).isError).toBe(true);
    const unknown = await postMcp(mcp.url, rpc('tools/call', { name: 'steal_secrets_of_alice', arguments: {} }), { token });
    expect(unknown.body.error.code).toBe(-32602);

    const body = await scrape();
    const calls = (tool: string, outcome: string) => sampleValue(body, 'omnichat_tool_calls_total', { app: 'mcp', tool, outcome });
    expect(calls('whoami', 'ok')).toBe(2);
    expect(calls('public_search', 'ok')).toBe(1);
    expect(calls('whoami', 'denied')).toBe(1);
    expect(calls('private_files_read', 'invalid_arguments')).toBe(1);
    expect(calls('private_files_read', 'tool_error')).toBe(1);
    expect(calls('unknown', 'unknown_tool')).toBe(1);
    expect(body).not.toContain('steal_secrets_of_alice');
    expect(body).not.toContain(subject);
    expect(body).not.toContain(token);
  });

  it('counts each failed JWKS fetch once, however many verifications waited on it', async () => {
    expect(sampleValue(await scrape(), 'omnichat_jwks_fetch_failures_total', { app: 'mcp' })).toBe(0);
    // A second app whose auth app is down from the start: nothing cached to fall back on.
    const own = createMcpMetrics();
    jwksUp = false;
    const cold = await startMcpServer({ databaseUrl: database.url, issuer: TEST_ISSUER, jwksUrl: `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/jwks`, metrics: own });
    try {
      const cut = await mintAccessToken(key, { issuer: TEST_ISSUER, audience: cold.url, subject });
      const call = () => postMcp(cold.url, rpc('tools/call', { name: 'whoami', arguments: {} }), { token: cut });
      const together = await Promise.all(Array.from({ length: 6 }, call));
      expect(together.map((reply) => reply.status).every((status) => status >= 400)).toBe(true);
      const counted = sampleValue(await own.registry.metrics(), 'omnichat_jwks_fetch_failures_total');
      // Exactly the fetches the endpoint refused; requests that shared a fetch add nothing.
      expect(counted).toBe(refusedFetches);
      expect(refusedFetches).toBeGreaterThanOrEqual(1);
      await call();
      expect(sampleValue(await own.registry.metrics(), 'omnichat_jwks_fetch_failures_total')).toBe(refusedFetches);
    } finally {
      jwksUp = true;
      await cold.close();
    }
  });

  it('labels HTTP requests by route pattern and unknown paths as unmatched', async () => {
    await fetch(`${mcp.origin}/users/${subject}/files`);
    const body = await scrape();
    const requests = (route: string, status: string) => sampleValue(body, 'omnichat_http_requests_total', { app: 'mcp', route, status });
    expect(requests('/mcp', '200')).toBeGreaterThanOrEqual(7);
    expect(requests('unmatched', '404')).toBe(1);
    const routes = new Set(parseExposition(body).filter((s) => s.name === 'omnichat_http_requests_total').map((s) => s.labels.route));
    expect([...routes].sort()).toEqual(['/mcp', 'unmatched']);
    expect(body).not.toContain('/users/');
  });

  it('exposes database pool gauges', async () => {
    const body = await scrape();
    expect(sampleValue(body, 'omnichat_db_pool_max_connections', { app: 'mcp' })).toBe(sqlPool(mcp.prisma).options.max);
    expect(sampleValue(body, 'omnichat_db_pool_idle_connections', { app: 'mcp' })).toBeGreaterThanOrEqual(0);
  });

  it('is not served on the public port: /metrics there is a 404', async () => {
    const response = await fetch(`${mcp.origin}/metrics`);
    expect(response.status).toBe(404);
    expect(await response.text()).not.toContain('omnichat_');
  });
});

describe('MCP metrics configuration', () => {
  it('listens on 127.0.0.1:9465 by default; 0 disables', () => {
    expect(loadMcpConfig({}).metrics).toEqual({ enabled: true, host: '127.0.0.1', port: 9465 });
    expect(loadMcpConfig({ MCP_METRICS_PORT: '0' }).metrics).toEqual({ enabled: false });
  });

  it.each([
    ['x', /^MCP_METRICS_PORT: /m],
    ['-1', /^MCP_METRICS_PORT: /m],
    ['3000', /^MCP_METRICS_PORT: must differ from MCP_PORT \(3000\)/m],
  ])('refuses MCP_METRICS_PORT=%s at boot', (port, message) => {
    expect(() => loadMcpConfig({ MCP_METRICS_PORT: port })).toThrow(message);
  });
});
