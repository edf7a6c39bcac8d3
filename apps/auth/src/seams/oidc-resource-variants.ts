import type { KoaContextWithOIDC, ResourceServer } from 'oidc-provider';

// Seam: the resource servers oidc-provider resolved for an authorization request. oidc-provider
// records the code's (and so the grant's) resources as the keys of `ctx.oidc.resourceServers` once
// the request is resolved, and later token requests may name only those. Adding entries to that
// object during authorization is the one way to grant a resource under more than one spelling;
// no configuration hook does it (`getResourceServerInfo` answers for one indicator, and a token
// request's body cannot be rewritten before oidc-provider parses it). Pinned by
// test/seams/oidc-resource-variants.test.ts.

/** Routes during which the authorization request's resources are being resolved. */
const AUTHORIZATION_ROUTES = new Set(['authorization', 'resume', 'pushed_authorization_request']);

/**
 * During authorization only: each of `variants` not yet requested is granted too, with the same
 * resource server `info`, so a later token request may repeat any one spelling or omit it.
 */
export function grantResourceVariants(ctx: KoaContextWithOIDC, variants: readonly string[], info: ResourceServer): void {
  const servers = ctx.oidc.resourceServers;
  if (!AUTHORIZATION_ROUTES.has(ctx.oidc.route ?? '') || !servers) return;
  for (const variant of variants) {
    if (!(variant in servers)) servers[variant] = new ctx.oidc.provider.ResourceServer(variant, info);
  }
}
