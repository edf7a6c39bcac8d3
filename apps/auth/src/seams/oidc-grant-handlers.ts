/// <reference path="./oidc-internals.d.ts" />
import type Provider from 'oidc-provider';
import type { KoaContextWithOIDC } from 'oidc-provider';
import * as grants from 'oidc-provider/lib/actions/grants/index.js';
import * as grantHelpers from 'oidc-provider/lib/helpers/grants.js';

export type GrantHandler = (ctx: KoaContextWithOIDC) => Promise<void>;

export type GrantHooks = {
  /** Runs after client authentication, before the grant is looked at (per-client limits). */
  beforeGrant(ctx: KoaContextWithOIDC): Promise<void>;
  /** Wraps the built-in refresh_token handler (the reuse grace window). */
  wrapRefresh(handler: GrantHandler): GrantHandler;
};

// Seam: oidc-provider's built-in authorization_code and refresh_token grant handlers, which it
// exposes only through its lib/ modules (contract: test/seams/oidc-grant-handlers.test.ts).

/**
 * Re-registers the authorization_code and refresh_token grants around oidc-provider's own handlers,
 * through its public `registerGrantType`, exactly as its initialize_app binds them. This is the one
 * point that sees the authenticated client before a code or refresh token is consumed: a /token
 * middleware cannot (the body is not yet parsed), and the handler's own hooks run after consumption.
 */
export function installGrantHooks(provider: Provider, hooks: GrantHooks): void {
  const helpers = Object.fromEntries(
    Object.entries(grantHelpers).map(([name, helper]) => [name, (helper as (...args: unknown[]) => unknown).bind(undefined, provider)]),
  );
  for (const grant of [grants.authorization_code, grants.refresh_token]) {
    const builtIn: GrantHandler = (ctx) => grant.handler(provider, helpers, ctx);
    const handler = grant.grantType === 'refresh_token' ? hooks.wrapRefresh(builtIn) : builtIn;
    // The same parameters initialize_app registers with resource indicators on (RFC 8707 allows
    // `resource` more than once).
    provider.registerGrantType(
      grant.grantType,
      async (ctx: KoaContextWithOIDC) => {
        await hooks.beforeGrant(ctx);
        await handler(ctx);
      },
      [...grant.parameters, 'resource'],
      ['resource'],
    );
  }
}
