import { createServer } from 'node:net';

import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';

import {
  createAppRegistry,
  instrumentHttp,
  metricsHostSchema,
  metricsPortProblem,
  metricsPortSchema,
  metricsSettings,
  startMetricsServer,
  type MetricsServer,
} from '../src/index.js';
import { parseExposition, sampleValue } from '../src/testing.js';

const registry = createAppRegistry('mcp');
let metrics: MetricsServer;
let app: FastifyInstance;
let origin = '';

beforeAll(async () => {
  metrics = await startMetricsServer(registry, { host: '127.0.0.1', port: 0 });
  app = Fastify();
  instrumentHttp(app, registry);
  app.get('/items/:id', async () => ({ ok: true }));
  app.post('/fail', async (_request, reply) => reply.code(503).send({ error: 'down' }));
  await app.listen({ host: '127.0.0.1', port: 0 });
  origin = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
});

afterAll(async () => {
  await app?.close();
  await metrics?.close();
});

const scrape = async () => {
  const response = await fetch(metrics.url);
  return { status: response.status, type: response.headers.get('content-type'), body: await response.text() };
};

describe('the metrics listener', () => {
  it('answers GET /metrics in the Prometheus text format, with the process metrics and the app label', async () => {
    const { status, type, body } = await scrape();
    expect(status).toBe(200);
    expect(type).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(body).toMatch(/^# HELP process_cpu_user_seconds_total /m);
    expect(body).toMatch(/^nodejs_heap_size_used_bytes\{app="mcp"\} \d+/m);
    expect(body).toMatch(/^nodejs_eventloop_lag_seconds\{app="mcp"\} /m);
  });

  it.each(['POST', 'PUT', 'DELETE', 'HEAD'])('refuses %s /metrics with 405 and Allow: GET', async (method) => {
    const response = await fetch(metrics.url, { method });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET');
  });

  it.each(['/', '/metrics/', '/metricsx', '/healthz', '/../metrics'])('answers 404 on %s', async (path) => {
    const response = await fetch(`http://127.0.0.1:${metrics.port}${path}`);
    // fetch normalises /../metrics to /metrics: that one is the real endpoint.
    expect(response.status).toBe(new URL(path, 'http://x').pathname === '/metrics' ? 200 : 404);
  });

  it('refuses to start on a port already taken, naming the port and the way out', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    await expect(startMetricsServer(createAppRegistry('auth'), { host: '127.0.0.1', port })).rejects.toThrow(
      `metrics listener on 127.0.0.1:${port}: the port is in use (choose another *_METRICS_PORT, or 0 to disable metrics)`,
    );
    await new Promise<void>((resolve) => blocker.close(() => resolve()));
  });
});

describe('HTTP request series', () => {
  it('labels requests by route pattern and status, never by the raw path', async () => {
    await fetch(`${origin}/items/secret-id-123`);
    await fetch(`${origin}/items/another-id-456?token=abc`);
    await fetch(`${origin}/fail`, { method: 'POST' });
    await fetch(`${origin}/no/such/path/user@example.com`);
    const { body } = await scrape();
    const requests = (route: string, status: string) => sampleValue(body, 'omnichat_http_requests_total', { app: 'mcp', route, status });
    expect(requests('/items/:id', '200')).toBe(2);
    expect(requests('/fail', '503')).toBe(1);
    expect(requests('unmatched', '404')).toBe(1);
    expect(sampleValue(body, 'omnichat_http_request_duration_seconds_count', { route: '/items/:id', status: '200' })).toBe(2);
    expect(sampleValue(body, 'omnichat_http_request_duration_seconds_bucket', { route: '/items/:id', status: '200', le: '+Inf' })).toBe(2);
    // Every series of this registry carries the app label, the process metrics included.
    expect(parseExposition(body).filter((sample) => sample.labels.app !== 'mcp')).toEqual([]);
    for (const leaked of ['secret-id-123', 'another-id-456', 'token=abc', 'user@example.com', '/no/such']) expect(body).not.toContain(leaked);
  });
});

describe('settings', () => {
  const schema = z.object({ METRICS_HOST: metricsHostSchema, PORT: metricsPortSchema(9464) });

  it('defaults to loopback and the given port; 0 disables', () => {
    const parsed = schema.parse({});
    expect(metricsSettings(parsed.METRICS_HOST, parsed.PORT)).toEqual({ enabled: true, host: '127.0.0.1', port: 9464 });
    expect(metricsSettings('127.0.0.1', schema.parse({ PORT: '0' }).PORT)).toEqual({ enabled: false });
  });

  it.each(['abc', '-1', '65536', '1.5', '9464x'])('refuses the port %s', (port) => {
    expect(schema.safeParse({ PORT: port }).success).toBe(false);
  });

  it.each([' ', 'not a host', 'http://127.0.0.1', '127.0.0.1:9464', 'host_name'])('refuses the host %j', (host) => {
    expect(schema.safeParse({ METRICS_HOST: host }).success).toBe(false);
  });

  it.each(['127.0.0.1', '0.0.0.0', '::1', '::', 'localhost', 'metrics.internal'])('accepts the host %s', (host) => {
    expect(schema.parse({ METRICS_HOST: host }).METRICS_HOST).toBe(host);
  });

  it('refuses the public port as the metrics port, but not when metrics are off', () => {
    expect(metricsPortProblem(4000, 4000, 'AUTH_PORT')).toMatch(/^must differ from AUTH_PORT \(4000\)/);
    expect(metricsPortProblem(0, 0, 'AUTH_PORT')).toBeUndefined();
    expect(metricsPortProblem(9464, 4000, 'AUTH_PORT')).toBeUndefined();
  });
});
