import type { FastifyInstance } from 'fastify';
import type { PrismaClient } from '@omnichat/db';
import { registerHealthRoutes as registerLifecycleHealthRoutes, type Readiness } from '@omnichat/lifecycle';

const JWKS_PROBE_TIMEOUT_MS = 2_000;

/**
 * /healthz and /readyz: ready while the database answers and once the auth app's JWKS has been
 * fetched. Once a key set was fetched, an auth-app outage does not make this app unready:
 * verification keeps working from the cached set (stale-if-error), and failing here too would turn
 * one outage into two.
 */
export function registerHealthRoutes(app: FastifyInstance, deps: { prisma: PrismaClient; readiness: Readiness; jwksUrl?: string | undefined }): void {
  let jwksSeen = deps.jwksUrl === undefined;
  const jwksReachable = async (): Promise<boolean> => {
    if (jwksSeen || !deps.jwksUrl) return true;
    const response = await fetch(deps.jwksUrl, { signal: AbortSignal.timeout(JWKS_PROBE_TIMEOUT_MS) });
    const body = response.ok ? ((await response.json()) as { keys?: unknown }) : {};
    jwksSeen = Array.isArray(body.keys) && body.keys.length > 0;
    return jwksSeen;
  };
  registerLifecycleHealthRoutes(app, {
    readiness: deps.readiness,
    checks: [
      { name: 'database', failedAs: 'unreachable', probe: async () => Boolean(await deps.prisma.$queryRaw`SELECT 1`) },
      { name: 'jwks', failedAs: 'unreachable', probe: jwksReachable },
    ],
  });
}
