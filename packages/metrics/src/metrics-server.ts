import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import { collectDefaultMetrics, type Registry } from 'prom-client';

export type MetricsServer = {
  /** http://host:port/metrics */
  url: string;
  port: number;
  close(): Promise<void>;
};

type Log = { error(object: object, message: string): void };

const withProcessMetrics = new WeakSet<Registry>();

/**
 * The metrics listener: its own port, apart from the public one, answering exactly `GET /metrics`
 * in the Prometheus text format (404 for any other path, 405 for another method on it). Starting
 * it also starts Node's default process metrics on the registry (CPU, memory, heap, event-loop
 * lag, GC, handles, file descriptors), once per registry.
 */
export async function startMetricsServer(registry: Registry, listen: { host: string; port: number }, log?: Log): Promise<MetricsServer> {
  if (!withProcessMetrics.has(registry)) {
    collectDefaultMetrics({ register: registry });
    withProcessMetrics.add(registry);
  }
  const server = createServer((request, response) => void answer(registry, request, response, log));
  // A scraper that stalls must not hold a connection open for ever.
  server.requestTimeout = 10_000;
  server.headersTimeout = 5_000;
  server.listen({ host: listen.host, port: listen.port });
  try {
    await Promise.race([once(server, 'listening'), once(server, 'error').then(([error]) => Promise.reject(error as Error))]);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'EADDRINUSE' ? 'the port is in use' : (error as Error).message;
    throw new Error(`metrics listener on ${listen.host}:${listen.port}: ${why} (choose another *_METRICS_PORT, or 0 to disable metrics)`, { cause: error });
  }
  const { port } = server.address() as AddressInfo;
  const host = listen.host.includes(':') ? `[${listen.host}]` : listen.host;
  return {
    url: `http://${host}:${port}/metrics`,
    port,
    async close() {
      if (!server.listening) return;
      const closed = once(server, 'close');
      server.close();
      server.closeAllConnections();
      await closed;
    },
  };
}

async function answer(registry: Registry, request: IncomingMessage, response: ServerResponse, log?: Log): Promise<void> {
  const path = (request.url ?? '').split('?')[0];
  if (path !== '/metrics') {
    response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found: metrics are at GET /metrics\n');
    return;
  }
  if (request.method !== 'GET') {
    response.writeHead(405, { 'content-type': 'text/plain; charset=utf-8', allow: 'GET' }).end('method not allowed: GET /metrics only\n');
    return;
  }
  try {
    const body = await registry.metrics();
    response.writeHead(200, { 'content-type': registry.contentType, 'cache-control': 'no-store' }).end(body);
  } catch (error) {
    log?.error({ err: error }, 'metrics could not be collected');
    response.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end('metrics could not be collected\n');
  }
}
