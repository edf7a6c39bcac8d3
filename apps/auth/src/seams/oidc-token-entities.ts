import type { KoaContextWithOIDC } from 'oidc-provider';

// Seam: the entities oidc-provider's token endpoint leaves on `ctx.oidc.entities` and the
// parameters it parsed. Their names (`RotatedRefreshToken` in particular, which only its
// ttl.RefreshToken default mentions) are not in its type definitions. Pinned by
// test/seams/oidc-token-entities.test.ts.

type WithGrant = { grantId?: string } | undefined;
const entities = (ctx: KoaContextWithOIDC) => ctx.oidc.entities as Record<string, WithGrant>;

/** The refresh token the client presented on a refresh_token request (as sent, or ''). */
export function presentedRefreshToken(ctx: KoaContextWithOIDC): string {
  return String(ctx.oidc.params?.refresh_token ?? '');
}

/**
 * After a successful refresh_token request: the grant of the refresh token that was rotated
 * (consumed and replaced), or undefined when the request rotated none.
 */
export function rotatedRefreshTokenGrant(ctx: KoaContextWithOIDC): { grantId: string | undefined } | undefined {
  const rotated = entities(ctx).RotatedRefreshToken;
  return rotated ? { grantId: rotated.grantId } : undefined;
}

/** After a successful token request: the grant its access or refresh token was issued under. */
export function issuedUnderGrant(ctx: KoaContextWithOIDC): string | undefined {
  const { AccessToken, RefreshToken } = entities(ctx);
  return AccessToken?.grantId ?? RefreshToken?.grantId;
}
