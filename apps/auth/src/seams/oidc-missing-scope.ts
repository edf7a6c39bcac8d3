import type Provider from 'oidc-provider';
import type { KoaContextWithOIDC } from 'oidc-provider';

// Seam: what oidc-provider does with an authorization request that has no scope. Two library
// behaviours are relied on here, each pinned by test/seams/oidc-missing-scope.test.ts:
// - a pre-middleware may rewrite `ctx.query` (Koa's documented setter) and oidc-provider builds its
//   params from it; its checkOpenidScope step runs before checkExtraParams;
// - an `extraParams` validator may assign a parameter (oidc-provider's docs: validators "can be used
//   ... to assign default values"), and what it assigns to `ctx.oidc.params.scope` is the scope the
//   rest of the request (consent, the code) uses.

/** oidc-provider's default authorization path (configuration.ts keeps it). */
const AUTHORIZATION_PATH = '/auth';
const STOOD_IN = Symbol('openid stands in for a missing scope next to id_token_hint');

/**
 * ChatGPT reconnects with `id_token_hint` and a missing or empty `scope` (docs/clients.md §6). Our default
 * scope (extraParams.scope in configuration.ts: what this client may have, openid included) is
 * applied in oidc-provider's checkExtraParams step, but its checkOpenidScope step runs earlier and
 * refuses id_token_hint without openid (OIDC Core §3.1.2.1 makes it an OpenID parameter). So, on
 * that request shape only, `openid` stands in for the scope through the early checks; the hint is
 * then validated by oidc-provider itself (signature, issuer, audience = this client) and its
 * subject compared with the session by the login prompt (login_required under prompt=none), and
 * extraParams.scope replaces the stand-in with the full default. A pre-middleware, oidc-provider's
 * documented seam. GET only: ChatGPT sends the authorization request as a redirect; a POSTed one
 * keeps upstream's invalid_request.
 */
export function defaultScopeForIdTokenHint(provider: Provider): void {
  provider.use(async (ctx, next) => {
    if (ctx.method === 'GET' && ctx.path === AUTHORIZATION_PATH) {
      const { scope, id_token_hint: hint } = ctx.query;
      if ((scope === undefined || scope === '') && typeof hint === 'string' && hint !== '') {
        ctx.query = { ...ctx.query, scope: 'openid' };
        (ctx.state as Record<symbol, boolean>)[STOOD_IN] = true;
      }
    }
    await next();
  });
}

/**
 * The body of an `extraParams.scope` validator: when the request named no scope (or only our
 * stand-in), the scope becomes `defaultScope()`.
 */
export function applyDefaultScope(ctx: KoaContextWithOIDC, value: string | undefined, defaultScope: () => string): void {
  if (value && !scopeStoodIn(ctx)) return;
  ctx.oidc.params!.scope = defaultScope();
}

/** True when the request's scope is our stand-in, to be replaced by the client's default scope. */
function scopeStoodIn(ctx: KoaContextWithOIDC): boolean {
  return (ctx.state as Record<symbol, boolean> | undefined)?.[STOOD_IN] === true;
}
