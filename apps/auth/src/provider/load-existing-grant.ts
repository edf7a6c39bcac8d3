import type { Configuration } from 'oidc-provider';

import { keepGrantsPastLogout } from '../seams/oidc-session-authorizations.js';

type FindAccountGrant = (accountId: string, clientId: string) => Promise<string | undefined>;

/**
 * `loadExistingGrant`: a scope this account already granted the client is not asked again, in any
 * browser and after sign-out (the default only looks in the current session); a new scope still
 * is. Only a grant of the signed-in account for this client is ever returned, whatever the
 * session's record says: oidc-provider answers any other with a 500 ("accountId mismatch").
 */
export function loadExistingGrant(findAccountGrant?: FindAccountGrant): NonNullable<Configuration['loadExistingGrant']> {
  return async (ctx) => {
    const { provider, session, client } = ctx.oidc;
    const accountId = session?.accountId;
    if (!session || !accountId || !client) return undefined;
    const owned = async (grantId: string | undefined) => {
      const grant = grantId ? await provider.Grant.find(grantId) : undefined;
      return grant?.accountId === accountId && grant.clientId === client.clientId ? grant : undefined;
    };
    const result = ctx.oidc.result as { consent?: { grantId?: string } } | undefined;
    const grant = (await owned(result?.consent?.grantId))
      ?? (await owned(session.grantIdFor(client.clientId)))
      ?? (findAccountGrant ? await owned(await findAccountGrant(accountId, client.clientId)) : undefined);
    // Also when nothing is attached: a session stored before this rule is marked on its next request.
    keepGrantsPastLogout(session, grant ? client.clientId : undefined);
    return grant;
  };
}
