import type { PrismaClient } from '@omnichat/db';

import type { Clock, CounterStore, CounterWindow } from './counter-store.js';

type Row = { count: number; resetAt: Date };

/**
 * Counters in the RateLimitCounter table: the default, since every replica already shares the
 * database. One upsert per hit; the row lock makes concurrent hits from any number of processes
 * count exactly. Times come from the app clock, like every other expiry here (AS-70).
 */
export function createPostgresStore(prisma: PrismaClient, now: Clock = Date.now): CounterStore {
  const one = (rows: Row[]): CounterWindow | undefined => (rows[0] ? { count: Number(rows[0].count), resetAt: new Date(rows[0].resetAt) } : undefined);

  return {
    async hit(key, windowMs) {
      const at = new Date(now());
      const until = new Date(at.getTime() + windowMs);
      const rows = await prisma.$queryRaw<Row[]>`
        INSERT INTO "RateLimitCounter" ("key", "count", "resetAt") VALUES (${key}, 1, ${until}::timestamp(3))
        ON CONFLICT ("key") DO UPDATE SET
          "count" = CASE WHEN "RateLimitCounter"."resetAt" <= ${at}::timestamp(3) THEN 1 ELSE "RateLimitCounter"."count" + 1 END,
          "resetAt" = CASE WHEN "RateLimitCounter"."resetAt" <= ${at}::timestamp(3) THEN ${until}::timestamp(3) ELSE "RateLimitCounter"."resetAt" END
        RETURNING "count", "resetAt"`;
      return one(rows) as CounterWindow;
    },
    async hold(key, ms) {
      const until = new Date(now() + ms);
      await prisma.$executeRaw`
        INSERT INTO "RateLimitCounter" ("key", "count", "resetAt") VALUES (${key}, 1, ${until}::timestamp(3))
        ON CONFLICT ("key") DO UPDATE SET "resetAt" = GREATEST("RateLimitCounter"."resetAt", ${until}::timestamp(3))`;
    },
    async peek(key) {
      const rows = await prisma.$queryRaw<Row[]>`
        SELECT "count", "resetAt" FROM "RateLimitCounter" WHERE "key" = ${key} AND "resetAt" > ${new Date(now())}::timestamp(3)`;
      return one(rows);
    },
    async reset(key) {
      await prisma.$executeRaw`DELETE FROM "RateLimitCounter" WHERE "key" = ${key}`;
    },
  };
}

/** Deletes finished windows; returns how many. */
export async function sweepRateLimitCounters(prisma: PrismaClient, now: Clock = Date.now): Promise<number> {
  return prisma.$executeRaw`DELETE FROM "RateLimitCounter" WHERE "resetAt" < ${new Date(now())}::timestamp(3)`;
}
