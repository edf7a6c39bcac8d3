import type { Configuration, KoaContextWithOIDC } from 'oidc-provider';

type Session = NonNullable<KoaContextWithOIDC['oidc']['session']>;
type FindAccountGrant = (accountId: string, clientId: string) => Promise<string | undefined>;

/**
 * oidc-provider's logout (its end_session_confirm step, which its resume step also runs when
 * someone signs in as another account in a signed-in browser) revokes the grant of every client
 * authorization in the session not marked `persistsLogout`: all of the grant's tokens, then the
 * grant. It marks an authorization only when it issues a token there that outlives the session.
 * None of ours is bound to the session (`expiresWithSession` is false), and the grant attached
 * below may have been given in another browser and hold refresh tokens issued there, so every
 * authorization outlives the session: ending a session is never a disconnect (AS-32, AS-33).
 */
export function keepGrantsPastLogout(session: Session, attachingTo?: string): void {
  if (attachingTo) session.ensureClientContainer(attachingTo);
  for (const authorization of Object.values(session.authorizations ?? {})) authorization.persistsLogout = true;
}

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
