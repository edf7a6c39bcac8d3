import type { PrismaClient } from '@omnichat/db';
import type Provider from 'oidc-provider';

import type { Clock } from '../clock.js';

/**
 * Registrations nobody signed in with. Claude registers a new client on every connect (twice per
 * attempt in public reports) and ChatGPT one per connector attempt, so open DCR grows the Client
 * rows without end unless those that never received a grant go. The contract: a Client row's
 * `lastUsedAt` is stamped when its first grant is saved and never cleared, so a client that holds
 * or ever held a grant (revoked since) is never pruned; one with a sign-in under way (an Interaction
 * row naming it) waits for it.
 */
export function markClientsUsed(provider: Provider, prisma: PrismaClient, onError: (error: unknown) => void, clock: Clock = () => new Date()): void {
  provider.on('grant.saved', (grant: { clientId?: string }) => {
    if (!grant.clientId) return;
    prisma.oidcPayload.updateMany({ where: { model: 'Client', id: grant.clientId, lastUsedAt: null }, data: { lastUsedAt: clock() } }).catch(onError);
  });
}

/** Models whose rows mean the client was used (what apps/admin's client:list counts too). */
const USE_MODELS = ['Grant', 'AuthorizationCode', 'RefreshToken', 'ClientCredentials', 'DeviceCode', 'BackchannelAuthenticationRequest'];

/** One replica prunes at a time; the others skip that round (pg_try_advisory_xact_lock). */
const PRUNE_LOCK = 4_174_220_014;

export type PrunedClient = { id: string; clientName: string | null };

/** Deletes registrations older than `ttlHours` that never received a grant; returns them. */
export async function pruneUnusedClients(prisma: PrismaClient, ttlHours: number, clock: Clock = () => new Date()): Promise<PrunedClient[]> {
  const cutoff = new Date(clock().getTime() - ttlHours * 3600_000);
  return prisma.$transaction(async (tx) => {
    const [lock] = await tx.$queryRaw<{ locked: boolean }[]>`SELECT pg_try_advisory_xact_lock(${PRUNE_LOCK}::bigint) AS locked`;
    if (!lock?.locked) return [];
    return tx.$queryRaw<PrunedClient[]>`
      DELETE FROM "OidcPayload" AS c
       WHERE c.model = 'Client' AND c."createdAt" < ${cutoff} AND c."lastUsedAt" IS NULL
         AND NOT EXISTS (SELECT 1 FROM "OidcPayload" AS u WHERE u.model = ANY(${USE_MODELS}) AND u.payload->>'clientId' = c.id)
         AND NOT EXISTS (SELECT 1 FROM "OidcPayload" AS i WHERE i.model = 'Interaction' AND i.payload->'params'->>'client_id' = c.id)
      RETURNING c.id, c.payload->>'client_name' AS "clientName"`;
  });
}
