import type { PrismaClient } from '../generated/client.js';
import { revokeGrants, type Revoker } from './grants.js';
import { CLIENT_USE_MODELS, OIDC_MODEL } from './models.js';

// oidc-provider's Client rows are the dynamically registered clients (CIMD clients are fetched,
// never stored); every Grant, code and refresh token row carries `clientId` in its payload, which
// is what these queries key on.

export type ClientSummary = {
  clientId: string;
  clientName: string | null;
  redirectUris: string[];
  tokenEndpointAuthMethod: string | null;
  registeredAt: Date;
  /**
   * Newest sign of use: a grant, code or refresh token row created, or a grant's `lastUsedAt`
   * (stamped by the auth app whenever it issues tokens under the grant).
   */
  lastUsedAt: Date | null;
  grants: number;
};

type Usage = { clientId: string; lastUsedAt: Date | null; grants: bigint };

/** The registered clients (or the one named), oldest first, with their use. */
export async function listClients(prisma: PrismaClient, clientId?: string): Promise<ClientSummary[]> {
  const rows = await prisma.oidcPayload.findMany({
    where: { model: OIDC_MODEL.Client, ...(clientId === undefined ? {} : { id: clientId }) },
    orderBy: { createdAt: 'asc' },
  });
  if (rows.length === 0) return [];
  const usage = await prisma.$queryRaw<Usage[]>`
    SELECT payload->>'clientId' AS "clientId",
           max(GREATEST("createdAt", "lastUsedAt")) AS "lastUsedAt",
           count(*) FILTER (WHERE model = ${OIDC_MODEL.Grant}) AS grants
      FROM "OidcPayload"
     WHERE model = ANY(${CLIENT_USE_MODELS}) AND payload->>'clientId' = ANY(${rows.map((row) => row.id)})
     GROUP BY 1`;
  const byClient = new Map(usage.map((row) => [row.clientId, row]));
  return rows.map((row) => {
    const payload = row.payload as Record<string, unknown>;
    const used = byClient.get(row.id);
    return {
      clientId: row.id,
      clientName: typeof payload.client_name === 'string' ? payload.client_name : null,
      redirectUris: Array.isArray(payload.redirect_uris) ? payload.redirect_uris.map(String) : [],
      tokenEndpointAuthMethod: typeof payload.token_endpoint_auth_method === 'string' ? payload.token_endpoint_auth_method : null,
      registeredAt: row.createdAt,
      lastUsedAt: used?.lastUsedAt ?? null,
      grants: Number(used?.grants ?? 0),
    };
  });
}

/** Deletes a registered client after revoking every grant issued to it; false when there was no such client. */
export async function deleteClient(prisma: PrismaClient, clientId: string, revoker: Revoker): Promise<{ deleted: boolean; grants: string[] }> {
  const grants = await revokeGrants(prisma, { clientId }, revoker);
  const { count } = await prisma.oidcPayload.deleteMany({ where: { model: OIDC_MODEL.Client, id: clientId } });
  return { deleted: count > 0, grants };
}

/**
 * Stamps a Client row's `lastUsedAt` when its first grant is saved, never clearing it: a client
 * that holds or ever held a grant (revoked since) is never pruned as unused.
 */
export async function markClientUsed(prisma: PrismaClient, clientId: string, now: Date): Promise<void> {
  await prisma.oidcPayload.updateMany({ where: { model: OIDC_MODEL.Client, id: clientId, lastUsedAt: null }, data: { lastUsedAt: now } });
}

/** One replica prunes at a time; the others skip that round (pg_try_advisory_xact_lock). */
const PRUNE_LOCK = 4_174_220_014;

export type PrunedClient = { id: string; clientName: string | null };

/**
 * Deletes registrations older than `ttlHours` that never received a grant; returns them. One
 * with a sign-in under way (an Interaction row naming it) waits for it.
 */
export async function pruneUnusedClients(prisma: PrismaClient, ttlHours: number, clock: () => Date = () => new Date()): Promise<PrunedClient[]> {
  const cutoff = new Date(clock().getTime() - ttlHours * 3600_000);
  return prisma.$transaction(async (tx) => {
    const [lock] = await tx.$queryRaw<{ locked: boolean }[]>`SELECT pg_try_advisory_xact_lock(${PRUNE_LOCK}::bigint) AS locked`;
    if (!lock?.locked) return [];
    return tx.$queryRaw<PrunedClient[]>`
      DELETE FROM "OidcPayload" AS c
       WHERE c.model = ${OIDC_MODEL.Client} AND c."createdAt" < ${cutoff} AND c."lastUsedAt" IS NULL
         AND NOT EXISTS (SELECT 1 FROM "OidcPayload" AS u WHERE u.model = ANY(${CLIENT_USE_MODELS}) AND u.payload->>'clientId' = c.id)
         AND NOT EXISTS (SELECT 1 FROM "OidcPayload" AS i WHERE i.model = ${OIDC_MODEL.Interaction} AND i.payload->'params'->>'client_id' = c.id)
      RETURNING c.id, c.payload->>'client_name' AS "clientName"`;
  });
}
