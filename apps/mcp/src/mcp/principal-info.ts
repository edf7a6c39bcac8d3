import type { AuthInfo } from '@modelcontextprotocol/server';
import type { Principal } from '../auth/principal.js';

/** Carries our verified principal through the SDK's `authInfo` to the request handlers. */
export function authInfoFor(token: string, principal: Principal): AuthInfo {
  return {
    token,
    clientId: principal.clientId,
    scopes: [...principal.scopes],
    expiresAt: principal.expiresAt,
    extra: { principal },
  };
}

export function principalFromAuthInfo(authInfo: AuthInfo | undefined): Principal | null {
  return (authInfo?.extra?.['principal'] as Principal | undefined) ?? null;
}
