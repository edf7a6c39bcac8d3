/** A fetch used for CIMD_DEV_ALLOW origins (tests pass one trusting their own CA). */
export type DevFetch = (url: string, init: RequestInit) => Promise<Response>;

/**
 * oidc-provider's `fetch` hook. It hands us `options.dispatcher`, an undici Agent that refuses
 * connections to loopback, private, link-local and metadata addresses (SSRF, AS-48); we always pass
 * it on, except for origins listed in CIMD_DEV_ALLOW (refused in production by the config), which
 * are local test servers by definition.
 */
export function createProviderFetch(devAllow: readonly string[], devFetch: DevFetch = (url, init) => globalThis.fetch(url, init)) {
  return (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (devAllow.includes(new URL(url).origin)) {
      const { dispatcher: _ssrfGuard, ...rest } = (init ?? {}) as RequestInit & { dispatcher?: unknown };
      return devFetch(url, rest);
    }
    return globalThis.fetch(input, init);
  };
}
