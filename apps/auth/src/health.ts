import type { PrismaClient } from '@omnichat/db';
import { registerHealthRoutes, type Readiness } from '@omnichat/lifecycle';
import type { FastifyInstance } from 'fastify';

/** /healthz and /readyz: ready while the database answers and a signing key is loaded. */
export function healthRoutes(app: FastifyInstance, deps: { prisma: PrismaClient; keysLoaded: () => boolean; readiness: Readiness }): void {
  registerHealthRoutes(app, {
    readiness: deps.readiness,
    checks: [
      { name: 'database', failedAs: 'unreachable', probe: async () => Boolean(await deps.prisma.$queryRaw`SELECT 1`) },
      { name: 'keys', failedAs: 'missing', probe: async () => deps.keysLoaded() },
    ],
  });
}
