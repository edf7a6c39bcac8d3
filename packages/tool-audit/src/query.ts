import type { PrismaClient } from '@omnichat/db';

export type ToolCallFilter = {
  userId?: string | undefined;
  clientId?: string | undefined;
  tool?: string | undefined;
  since?: Date | undefined;
  limit: number;
};

/** A stored row as the admin CLI prints it (`id` as text: JSON has no 64-bit integers). */
export type ToolCallEntry = {
  id: string;
  at: Date;
  userId: string | null;
  clientId: string | null;
  tool: string;
  scopes: string[];
  decision: string;
  reason: string | null;
  outcome: string | null;
  durationMs: number;
  arguments: unknown;
};

/** Newest first, every filter ANDed. */
export async function findToolCalls(prisma: PrismaClient, filter: ToolCallFilter): Promise<ToolCallEntry[]> {
  const rows = await prisma.toolCall.findMany({
    where: {
      ...(filter.userId !== undefined ? { userId: filter.userId } : {}),
      ...(filter.clientId !== undefined ? { clientId: filter.clientId } : {}),
      ...(filter.tool !== undefined ? { tool: filter.tool } : {}),
      ...(filter.since !== undefined ? { at: { gte: filter.since } } : {}),
    },
    orderBy: [{ at: 'desc' }, { id: 'desc' }],
    take: filter.limit,
  });
  return rows.map((row) => ({ ...row, id: row.id.toString() }));
}

const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/**
 * `30m`, `2h`, `7d`: a whole number of minutes, hours or days back from now. Anything else is
 * null (the caller refuses it).
 */
export function parseSince(text: string, now: Date): Date | null {
  const match = /^([1-9]\d{0,5})([mhd])$/.exec(text);
  if (!match) return null;
  return new Date(now.getTime() - Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS]);
}
