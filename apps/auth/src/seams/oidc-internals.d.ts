// oidc-provider 9 (pinned exactly in the catalog) exposes its built-in grant handlers only through
// these modules; oidc-grant-handlers.ts wraps them. test/seams/oidc-grant-handlers.test.ts breaks
// loudly if a version bump moves or reshapes them.
declare module 'oidc-provider/lib/actions/grants/index.js' {
  import type Provider from 'oidc-provider';
  import type { KoaContextWithOIDC } from 'oidc-provider';

  type BuiltInGrant = {
    grantType: string;
    parameters: Set<string>;
    handler: (provider: Provider, helpers: Record<string, unknown>, ctx: KoaContextWithOIDC) => Promise<void>;
  };
  export const authorization_code: BuiltInGrant;
  export const refresh_token: BuiltInGrant;
}

declare module 'oidc-provider/lib/helpers/grants.js' {
  const helpers: Record<string, (...args: unknown[]) => unknown>;
  export = helpers;
}
