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
