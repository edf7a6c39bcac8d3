/**
 * oidc-provider's session and interaction cookies: HttpOnly, SameSite=Lax (the redirect back from
 * a client must carry them), and Secure whenever the issuer is https (RFC 9700 §4.15, AS-60). The
 * app itself speaks plain http, so an https issuer means a TLS-terminating proxy in front, which
 * must be trusted (TRUST_PROXY) for the Secure cookies to be set.
 */
export function providerCookieOptions(issuer: string): { long: CookieOptions; short: CookieOptions } {
  const options: CookieOptions = { httpOnly: true, sameSite: 'lax', ...(new URL(issuer).protocol === 'https:' ? { secure: true } : {}) };
  return { long: options, short: options };
}

export type CookieOptions = { httpOnly: true; sameSite: 'lax'; secure?: true };
