import type { FastifyInstance } from 'fastify';
import type { PrismaClient } from '@omnichat/db';
import { closeConnectionsWhileDraining, type Readiness } from '@omnichat/lifecycle';

const JWKS_PROBE_TIMEOUT_MS = 2_000;

/**
 * Liveness says the process serves HTTP; readiness that it should get traffic: not shutting down,
 * the database answers, and the auth app's JWKS has been fetched. Once a key set was fetched, an
 * auth-app outage does not make this app unready: verification keeps working from the cached set
 * (stale-if-error), and failing here too would turn one outage into two.
 */
export function registerHealthRoutes(app: FastifyInstance, deps: { prisma: PrismaClient; readiness: Readiness; jwksUrl?: string | undefined }): void {
  closeConnectionsWhileDraining(app, deps.readiness);
  let jwksSeen = deps.jwksUrl === undefined;
  const jwksReachable = async (): Promise<boolean> => {
    if (jwksSeen || !deps.jwksUrl) return true;
    const response = await fetch(deps.jwksUrl, { signal: AbortSignal.timeout(JWKS_PROBE_TIMEOUT_MS) });
    const body = response.ok ? ((await response.json()) as { keys?: unknown }) : {};
    jwksSeen = Array.isArray(body.keys) && body.keys.length > 0;
    return jwksSeen;
  };

  app.get('/healthz', async (_request, reply) => reply.header('cache-control', 'no-store').send({ status: 'ok' }));
  app.get('/readyz', async (request, reply) => {
    reply.header('cache-control', 'no-store');
    if (deps.readiness.draining) return reply.code(503).send({ status: 'draining' });
    try {
      await deps.prisma.$queryRaw`SELECT 1`;
    } catch (error) {
      request.log.warn({ err: error }, 'readiness: database unreachable');
      return reply.code(503).send({ status: 'unavailable', database: 'unreachable' });
    }
    const jwks = await jwksReachable().catch((error: unknown) => {
      request.log.warn({ err: error }, 'readiness: JWKS unreachable');
      return false;
    });
    if (!jwks) return reply.code(503).send({ status: 'unavailable', jwks: 'unreachable' });
    return reply.send({ status: 'ok' });
  });
}
