import type { KoaContextWithOIDC } from 'oidc-provider';

// Seam: oidc-provider's per-client authorizations inside a Session. Its logout (the end_session
// confirm step, which its resume step also runs when someone signs in as another account in a
// signed-in browser) revokes the grant of every authorization not marked `persistsLogout`, a flag
// its type definitions and docs do not describe. Pinned by test/seams/oidc-session-authorizations.test.ts.

type Session = NonNullable<KoaContextWithOIDC['oidc']['session']>;

/**
 * Marks every client authorization in the session (after creating the one for `attachingTo`) as
 * outliving the session, so oidc-provider's logout never revokes its grant. It marks one only when
 * it issues a token there that outlives the session. None of ours is bound to the session
 * (`expiresWithSession` is false), and a grant attached from the database may have been given in
 * another browser and hold refresh tokens issued there: ending a session is never a disconnect
 * (AS-32, AS-33).
 */
export function keepGrantsPastLogout(session: Session, attachingTo?: string): void {
  if (attachingTo) session.ensureClientContainer(attachingTo);
  for (const authorization of Object.values(session.authorizations ?? {})) authorization.persistsLogout = true;
}
