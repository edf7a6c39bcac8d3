import type { PrismaClient } from '@omnichat/db';
import { createMemoryStore, createPostgresStore, createRedisStore, createResilientStore, type CounterStore } from '@omnichat/limits';
import type { FastifyBaseLogger } from 'fastify';

/** Store-failure reports at most this often, so an outage alerts without flooding the log. */
const STORE_ERROR_LOG_INTERVAL_MS = 10_000;

/**
 * The counters every replica shares: Redis when REDIS_URL is set, else Postgres. Wrapped so a
 * store failure degrades to per-process limits and is logged at error level (REL-8).
 */
export function createLimitStore(options: { prisma: PrismaClient; redisUrl?: string | undefined; log: FastifyBaseLogger; primary?: CounterStore }): { store: CounterStore; close(): Promise<void> } {
  const redis = options.primary || !options.redisUrl ? undefined : createRedisStore(options.redisUrl);
  const primary = options.primary ?? redis ?? createPostgresStore(options.prisma);
  let lastReport = 0;
  const store = createResilientStore(primary, createMemoryStore(), (error) => {
    if (Date.now() - lastReport < STORE_ERROR_LOG_INTERVAL_MS) return;
    lastReport = Date.now();
    options.log.error({ err: error, alert: 'rate_limit_store_unavailable' }, 'rate-limit store unavailable: limits are per process until it returns');
  });
  return { store, close: async () => redis?.close() };
}
