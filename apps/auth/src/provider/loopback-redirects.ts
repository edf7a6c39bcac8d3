import type Provider from 'oidc-provider';

import { redirectUriAllowed } from '../policy/loopback-redirect.js';

/**
 * Replaces `Client#redirectUriAllowed` (public and typed; oidc-provider's "redirect URI wildcards"
 * recipe overrides it the same way) with policy/loopback-redirect.ts. Upstream lets the loopback
 * port vary only for `application_type: native` clients and even when a port was registered; RFC
 * 8252 §7.3 lets it vary for a URI registered without one, whoever registered it. Every check of a
 * redirect_uri at /auth and /par goes through this method. Tested end to end in loopback-redirect.test.ts.
 */
export function allowLoopbackPorts(provider: Provider): void {
  provider.Client.prototype.redirectUriAllowed = function redirectUriAllowedForClient(this: { redirectUris?: string[] | undefined }, value: string): boolean {
    return redirectUriAllowed(this.redirectUris ?? [], value);
  };
}
