import type { PrismaClient } from '@omnichat/db';
import type { GrantLookup } from './grant-status.js';

/**
 * Which of these grants are live, read from the authorization server's own storage (the shared
 * Postgres): oidc-provider's `Grant` rows in OidcPayload, by primary key (model, id). A grant past
 * its `expiresAt` counts as gone even before the auth app's sweep deletes the row, as the auth
 * app's adapter itself treats it.
 */
export function createPrismaGrantLookup(prisma: PrismaClient, now: () => number = Date.now): GrantLookup {
  return async (grantIds) => {
    const rows = await prisma.oidcPayload.findMany({
      where: {
        model: 'Grant',
        id: { in: [...grantIds] },
        OR: [{ expiresAt: null }, { expiresAt: { gt: new Date(now()) } }],
      },
      select: { id: true },
    });
    return new Set(rows.map((row) => row.id));
  };
}
