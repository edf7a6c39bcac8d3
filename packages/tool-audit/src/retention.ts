import type { PrismaClient } from '@omnichat/db';
import type { ToolAuditLogger } from './batch-writer.js';

export const DEFAULT_RETENTION_DAYS = 30;
/** Rows deleted per statement: short transactions, so a large backlog never holds long locks. */
export const PRUNE_BATCH_ROWS = 5_000;
/** How often a replica prunes (every replica does; deleting what another just deleted is harmless). */
export const PRUNE_INTERVAL_MS = 60 * 60 * 1000;

/** Deletes every row older than `before`, `batchRows` at a time; returns how many went. */
export async function pruneToolCalls(prisma: PrismaClient, before: Date, batchRows: number = PRUNE_BATCH_ROWS): Promise<number> {
  let total = 0;
  for (;;) {
    const deleted = await prisma.$executeRaw`
      DELETE FROM "ToolCall" WHERE "id" IN (
        SELECT "id" FROM "ToolCall" WHERE "at" < ${before} ORDER BY "at" LIMIT ${batchRows}
      )`;
    total += deleted;
    if (deleted < batchRows) return total;
  }
}

export type ToolAuditRetention = {
  /** One pass now (tests; the timers call it too). */
  prune(): Promise<number>;
  /** Stops the timers and waits for a pass under way. */
  stop(): Promise<void>;
};

/**
 * Prunes rows older than `retentionDays`, once shortly after start and then every `intervalMs`.
 * A failed pass is logged and retried at the next interval; it never throws.
 */
export function startToolAuditRetention(options: {
  prisma: PrismaClient;
  retentionDays: number;
  log: ToolAuditLogger & { info(object: object, message: string): void };
  now?: () => number;
  intervalMs?: number;
  firstPassDelayMs?: number;
}): ToolAuditRetention {
  const now = options.now ?? Date.now;
  let running: Promise<number> | null = null;
  const prune = async (): Promise<number> => {
    running ??= pruneToolCalls(options.prisma, new Date(now() - options.retentionDays * 86_400_000))
      .then((deleted) => {
        if (deleted > 0) options.log.info({ deletedRows: deleted, retentionDays: options.retentionDays }, 'tool-call audit pruned');
        return deleted;
      })
      .catch((error: unknown) => {
        options.log.warn({ err: { name: (error as Error).name, message: String((error as Error).message).split('\n')[0] } }, 'tool-call audit prune failed; retrying later');
        return 0;
      })
      .finally(() => {
        running = null;
      });
    return running;
  };
  const first = setTimeout(() => void prune(), options.firstPassDelayMs ?? 10_000);
  const timer = setInterval(() => void prune(), options.intervalMs ?? PRUNE_INTERVAL_MS);
  first.unref();
  timer.unref();
  return {
    prune,
    async stop() {
      clearTimeout(first);
      clearInterval(timer);
      await running;
    },
  };
}
