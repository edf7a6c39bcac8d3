import type { FastifyInstance } from 'fastify';

import { closeConnectionsWhileDraining, type Readiness } from './readiness.js';
import { APP_VERSION } from './version.js';

/** One readiness condition: `probe` resolves true when met; false or a throw answers 503. */
export type ReadinessCheck = {
  /** The field named in the 503 body, e.g. `database`. */
  name: string;
  /** Its value there, e.g. `unreachable`. */
  failedAs: string;
  probe: () => Promise<boolean>;
};

/**
 * Liveness says the process serves HTTP (and which release it runs: `version`); readiness that it should get traffic: not shutting down
 * and every check met, in order. Both are uncacheable and name only the failed check; the reason
 * goes to the log.
 */
export function registerHealthRoutes(app: FastifyInstance, deps: { readiness: Readiness; checks: readonly ReadinessCheck[] }): void {
  closeConnectionsWhileDraining(app, deps.readiness);
  app.get('/healthz', async (_request, reply) => reply.header('cache-control', 'no-store').send({ status: 'ok', version: APP_VERSION }));
  app.get('/readyz', async (request, reply) => {
    reply.header('cache-control', 'no-store');
    if (deps.readiness.draining) return reply.code(503).send({ status: 'draining' });
    for (const check of deps.checks) {
      const met = await check.probe().catch((error: unknown) => {
        request.log.warn({ err: error }, `readiness: ${check.name} ${check.failedAs}`);
        return false;
      });
      if (!met) return reply.code(503).send({ status: 'unavailable', [check.name]: check.failedAs });
    }
    return reply.send({ status: 'ok' });
  });
}
