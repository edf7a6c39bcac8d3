import type { PrismaClient } from '@omnichat/db';

import type { ConnectionEventRow } from './connection-event.js';

/** The most rows one question reads: a doctor run stays fast however busy the server was. */
export const MAX_QUERY_ROWS = 20_000;

export type EventQuery = {
  since: Date;
  /** Only these clients (with the client-less steps that came from their sources). */
  clientIds?: readonly string[];
  /** Only steps of this account, plus the client-less steps of its clients. */
  userId?: string;
};

/**
 * The steps a question needs. Client-less steps (discovery, refused registrations) are read for
 * the sources the selected clients used, so buildAttempts can join them.
 */
export async function findConnectionEvents(prisma: PrismaClient, query: EventQuery): Promise<ConnectionEventRow[]> {
  const since = { gte: query.since };
  let clientIds = query.clientIds ? [...query.clientIds] : undefined;
  if (query.userId) {
    const seen = await prisma.connectionEvent.findMany({ where: { userId: query.userId, at: since, clientId: { not: null } }, distinct: ['clientId'], select: { clientId: true } });
    const own = seen.map((row) => row.clientId as string);
    clientIds = clientIds ? clientIds.filter((id) => own.includes(id)) : own;
  }
  if (!clientIds) {
    return prisma.connectionEvent.findMany({ where: { at: since }, orderBy: { at: 'desc' }, take: MAX_QUERY_ROWS });
  }
  if (clientIds.length === 0) return [];
  const ofClients = await prisma.connectionEvent.findMany({
    where: {
      at: since,
      clientId: { in: clientIds },
      // Another user's steps on a shared client (a CIMD client_id serves everyone) stay out.
      ...(query.userId ? { OR: [{ userId: query.userId }, { userId: null }] } : {}),
    },
    orderBy: { at: 'desc' },
    take: MAX_QUERY_ROWS,
  });
  const sources = [...new Set(ofClients.map((row) => row.source).filter((source): source is string => source !== null))];
  const loose = sources.length === 0 ? [] : await prisma.connectionEvent.findMany({
    where: { at: since, clientId: null, source: { in: sources } },
    orderBy: { at: 'desc' },
    take: MAX_QUERY_ROWS,
  });
  return [...ofClients, ...loose];
}
