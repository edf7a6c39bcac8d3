import type { PrismaClient } from '@omnichat/db';

/** DOCTOR_RETENTION_HOURS unless set. */
export const DEFAULT_DOCTOR_RETENTION_HOURS = 72;
/** The size bound: past this many rows the oldest go, whatever their age. */
export const DEFAULT_DOCTOR_MAX_ROWS = 200_000;
/** Rows deleted per statement, so a prune never holds a long lock on a busy table. */
export const PRUNE_BATCH_ROWS = 5_000;

export type PruneOptions = {
  retentionHours: number;
  maxRows?: number;
  batchRows?: number;
  now?: () => Date;
};

export type PruneResult = { expired: number; overCap: number };

/**
 * Deletes steps older than the retention, then the oldest past the row cap, in batches of
 * `batchRows` (each DELETE picks its ids by index first). Run from the auth app's sweep.
 */
export async function pruneConnectionEvents(prisma: PrismaClient, options: PruneOptions): Promise<PruneResult> {
  const batch = options.batchRows ?? PRUNE_BATCH_ROWS;
  const maxRows = options.maxRows ?? DEFAULT_DOCTOR_MAX_ROWS;
  const cutoff = new Date((options.now?.() ?? new Date()).getTime() - options.retentionHours * 3_600_000);
  let expired = 0;
  for (;;) {
    const deleted = await prisma.$executeRaw`
      DELETE FROM "ConnectionEvent" WHERE id IN (
        SELECT id FROM "ConnectionEvent" WHERE at < ${cutoff} ORDER BY at LIMIT ${batch})`;
    expired += deleted;
    if (deleted < batch) break;
  }
  let overCap = 0;
  for (;;) {
    // The id of the newest row beyond the cap; everything at or below it goes (ids only grow).
    const [edge] = await prisma.$queryRaw<{ id: bigint }[]>`
      SELECT id FROM "ConnectionEvent" ORDER BY id DESC OFFSET ${maxRows} LIMIT 1`;
    if (!edge) break;
    const deleted = await prisma.$executeRaw`
      DELETE FROM "ConnectionEvent" WHERE id IN (
        SELECT id FROM "ConnectionEvent" WHERE id <= ${edge.id} ORDER BY id LIMIT ${batch})`;
    overCap += deleted;
    if (deleted < batch) break;
  }
  return { expired, overCap };
}
