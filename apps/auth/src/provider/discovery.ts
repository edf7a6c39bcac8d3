import type Provider from 'oidc-provider';

import { supportedScopes } from './client-metadata.js';

/**
 * Discovery must list resource scopes too: OpenAI clients request what AS metadata advertises
 * (docs/clients.md §3), while oidc-provider lists only its static OIDC scopes. `discovery` config can
 * only add missing keys, hence a post-middleware (oidc-provider's documented seam).
 */
export function customiseDiscovery(provider: Provider): void {
  provider.use(async (ctx, next) => {
    await next();
    if (ctx.oidc?.route !== 'discovery' || typeof ctx.body !== 'object' || ctx.body === null) return;
    Object.assign(ctx.body, {
      scopes_supported: supportedScopes(),
      // Only the query response mode is promised to clients (docs/clients.md §2).
      response_modes_supported: ['query'],
    });
  });
}
