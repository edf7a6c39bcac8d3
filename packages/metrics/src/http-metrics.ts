import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Counter, Histogram, type Registry } from 'prom-client';

/** The `route` of a request no route pattern matched: never the raw URL (unbounded, may hold ids). */
export const UNMATCHED_ROUTE = 'unmatched';

/** Seconds; finer than prom-client's defaults below 5 ms, where most of these answers land. */
const DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export type RouteLabel = (request: FastifyRequest) => string;

/** The route pattern Fastify matched (`/interaction/:uid`), or UNMATCHED_ROUTE. */
export const routePattern: RouteLabel = (request) => request.routeOptions.url ?? UNMATCHED_ROUTE;

/**
 * `omnichat_http_requests_total` and `omnichat_http_request_duration_seconds` by route pattern and
 * status. One synchronous onResponse hook: Fastify already times every reply (`elapsedTime`) and
 * already listens for its end (access log), hijacked replies included. `routeOf` lets an app name
 * routes behind a catch-all (the auth app's oidc-provider mount) from a fixed list.
 */
export function instrumentHttp(app: FastifyInstance, registry: Registry, options: { routeOf?: RouteLabel } = {}): void {
  const routeOf = options.routeOf ?? routePattern;
  const duration = new Histogram({
    name: 'omnichat_http_request_duration_seconds',
    help: 'Time from request received to response finished, by route pattern and status code.',
    labelNames: ['route', 'status'] as const,
    buckets: DURATION_BUCKETS,
    registers: [registry],
  });
  // The histogram already counts every request: the counter is its _count, read when scraped, so
  // the request path pays for one observation, not two (bench: mcp.metrics.cost).
  new Counter({
    name: 'omnichat_http_requests_total',
    help: 'HTTP requests answered, by route pattern and status code.',
    labelNames: ['route', 'status'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const sample of (await duration.get()).values) {
        if (sample.metricName === 'omnichat_http_request_duration_seconds_count') this.inc(sample.labels as Record<'route' | 'status', string>, sample.value);
      }
    },
  });
  app.addHook('onResponse', (request, reply, done) => {
    duration.observe({ route: routeOf(request), status: statusLabel(reply.statusCode) }, reply.elapsedTime / 1000);
    done();
  });
}

const statusLabels = new Map<number, string>();
/** Status codes as label strings, made once each. */
function statusLabel(code: number): string {
  let label = statusLabels.get(code);
  if (label === undefined) {
    label = String(code);
    if (statusLabels.size < 1000) statusLabels.set(code, label);
  }
  return label;
}
