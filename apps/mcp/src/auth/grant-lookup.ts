import type { PrismaClient } from '@omnichat/db';
import { liveGrantIds } from '@omnichat/db/oidc-store';

import type { GrantLookup } from './grant-status.js';

/**
 * Which of these grants are live, read from the authorization server's own storage (the shared
 * Postgres) through @omnichat/db/oidc-store, the auth app's own definition of a live Grant row: a
 * grant past its `expiresAt` counts as gone even before the auth app's sweep deletes the row.
 */
export function createPrismaGrantLookup(prisma: PrismaClient, now: () => number = Date.now): GrantLookup {
  return async (grantIds) => liveGrantIds(prisma, grantIds, new Date(now()));
}
