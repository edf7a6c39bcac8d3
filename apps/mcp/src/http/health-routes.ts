import type { FastifyInstance } from 'fastify';
import type { PrismaClient } from '@omnichat/db';

export function registerHealthRoutes(app: FastifyInstance, prisma: PrismaClient): void {
  app.get('/healthz', async () => ({ status: 'ok' }));
  // Ready when the database answers; token verification needs no database.
  app.get('/readyz', async (request, reply) => {
    try {
      await prisma.$queryRaw`SELECT 1`;
      return { status: 'ok' };
    } catch (error) {
      request.log.warn({ err: error }, 'database unreachable');
      return reply.code(503).send({ status: 'unavailable' });
    }
  });
}
