import { audit } from '@omnichat/audit';
import type { PrismaClient } from '@omnichat/db';
import { pruneUnusedClients, sweepExpired } from '@omnichat/db/oidc-store';
import { sweepRateLimitCounters } from '@omnichat/limits';
import type { FastifyInstance } from 'fastify';

import type { Clock } from './clock.js';
import { sweepPending } from './mfa/pending.js';

const SWEEP_INTERVAL_MS = 60_000;
/** How often a replica looks for unused registrations (one replica at a time does the work). */
const UNUSED_CLIENT_PRUNE_INTERVAL_MS = 10 * 60_000;

/**
 * The rows that outlive their use, deleted on a timer while the app runs: expired oidc-provider
 * artefacts, rate-limit counters and pending second-factor sign-ins every minute, and (with
 * UNUSED_CLIENT_TTL_HOURS) registrations that never received a grant.
 */
export function scheduleSweeps(app: FastifyInstance, deps: { prisma: PrismaClient; clock?: Clock | undefined; unusedClientTtlHours: number }): void {
  const { prisma } = deps;
  const every = (ms: number, work: () => void) => {
    const timer = setInterval(work, ms);
    timer.unref();
    app.addHook('onClose', async () => clearInterval(timer));
  };
  every(SWEEP_INTERVAL_MS, () => {
    sweepExpired(prisma, deps.clock).catch((error: unknown) => app.log.warn({ err: error }, 'expired-row sweep failed'));
    sweepRateLimitCounters(prisma).catch((error: unknown) => app.log.warn({ err: error }, 'rate-limit sweep failed'));
    sweepPending(prisma).catch((error: unknown) => app.log.warn({ err: error }, 'pending sign-in sweep failed'));
  });
  if (deps.unusedClientTtlHours > 0) {
    every(UNUSED_CLIENT_PRUNE_INTERVAL_MS, () => {
      pruneUnusedClients(prisma, deps.unusedClientTtlHours, deps.clock)
        .then((pruned) => pruned.forEach((client) => audit(app.log, { event: 'client.deleted', clientId: client.id, by: 'schedule' })))
        .catch((error: unknown) => app.log.warn({ err: error }, 'unused-client prune failed'));
    });
  }
}
