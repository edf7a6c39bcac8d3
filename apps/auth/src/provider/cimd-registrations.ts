import type { KoaContextWithOIDC } from 'oidc-provider';

/**
 * Counts CIMD "registrations": a client metadata document fetched and accepted. oidc-provider asks
 * `allowFetch` only on a cache miss, then `allowClient` once the fetched document made a valid
 * client; a request marked by the first and reaching the second is one newly loaded document
 * (a cached one, or one that failed validation, is not counted).
 */
export function cimdRegistrations(registered: () => void) {
  const fetching = new WeakSet<object>();
  return {
    /** Call from allowFetch once the fetch is allowed. */
    fetchAllowed(ctx: KoaContextWithOIDC | undefined): void {
      if (ctx) fetching.add(ctx);
    },
    /** features.clientIdMetadataDocument.allowClient: allows every client, as the default does. */
    async allowClient(ctx: KoaContextWithOIDC | undefined): Promise<boolean> {
      if (ctx && fetching.delete(ctx)) registered();
      return true;
    },
  };
}

export type CimdRegistrations = ReturnType<typeof cimdRegistrations>;
