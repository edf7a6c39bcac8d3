import type { PrismaClient } from '@omnichat/db';
import { closeConnectionsWhileDraining, type Readiness } from '@omnichat/lifecycle';
import type { FastifyInstance } from 'fastify';

/**
 * Liveness says the process serves HTTP; readiness that it should get traffic: not shutting down,
 * the database answers, and a signing key is loaded. Both are uncacheable and carry no detail
 * beyond which check failed (the reason goes to the log).
 */
export async function healthRoutes(app: FastifyInstance, deps: { prisma: PrismaClient; keysLoaded: () => boolean; readiness: Readiness }): Promise<void> {
  closeConnectionsWhileDraining(app, deps.readiness);
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
    if (!deps.keysLoaded()) return reply.code(503).send({ status: 'unavailable', keys: 'missing' });
    return reply.send({ status: 'ok' });
  });
}
