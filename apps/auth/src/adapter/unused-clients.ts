import type { PrismaClient } from '@omnichat/db';
import { markClientUsed } from '@omnichat/db/oidc-store';
import type Provider from 'oidc-provider';

import { systemClock, type Clock } from '../clock.js';

/**
 * Registrations nobody signed in with. Claude registers a new client on every connect (twice per
 * attempt in public reports) and ChatGPT one per connector attempt, so open DCR grows the Client
 * rows without end unless those that never received a grant go. The contract: a Client row's
 * `lastUsedAt` is stamped when its first grant is saved and never cleared, so a client that holds
 * or ever held a grant (revoked since) is never pruned; one with a sign-in under way (an Interaction
 * row naming it) waits for it. The prune itself is @omnichat/db/oidc-store's pruneUnusedClients.
 */
export function markClientsUsed(provider: Provider, prisma: PrismaClient, onError: (error: unknown) => void, clock: Clock = systemClock): void {
  provider.on('grant.saved', (grant: { clientId?: string }) => {
    if (!grant.clientId) return;
    markClientUsed(prisma, grant.clientId, clock()).catch(onError);
  });
}
