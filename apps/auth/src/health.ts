import type { PrismaClient } from '@omnichat/db';
import type { FastifyInstance } from 'fastify';

/** Liveness says the process serves HTTP; readiness that it can do its job (database and keys). */
export async function healthRoutes(app: FastifyInstance, deps: { prisma: PrismaClient; keysLoaded: () => boolean }): Promise<void> {
  app.get('/healthz', async (_request, reply) => reply.header('cache-control', 'no-store').send({ status: 'ok' }));
  app.get('/readyz', async (request, reply) => {
    reply.header('cache-control', 'no-store');
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
