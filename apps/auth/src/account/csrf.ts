import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * CSRF for the account page's forms (AS-56), which have no interaction to bind to: a random
 * nonce in an HttpOnly, SameSite=Strict cookie scoped to /account, and an HMAC of it in each form.
 * A cross-site page can neither read the cookie nor compute the token.
 */
export const ACCOUNT_CSRF_COOKIE = 'account_csrf';
const NONCE = /^[A-Za-z0-9_-]{22,64}$/;

export function newNonce(): string {
  return randomBytes(24).toString('base64url');
}

export function nonceFromCookies(header: string | undefined): string | undefined {
  const match = new RegExp(`(?:^|;\\s*)${ACCOUNT_CSRF_COOKIE}=([^;]*)`).exec(header ?? '');
  return match?.[1] && NONCE.test(match[1]) ? match[1] : undefined;
}

export function nonceCookie(nonce: string, secure: boolean): string {
  return `${ACCOUNT_CSRF_COOKIE}=${nonce}; Path=/account; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;
}

export function accountCsrfToken(key: Buffer, nonce: string): string {
  return createHmac('sha256', key).update(`account:${nonce}`).digest('base64url');
}

/** Valid under any of `keys` (current first, then the previous secrets'), as interactions/csrf.ts. */
export function accountCsrfValid(keys: readonly Buffer[], nonce: string | undefined, presented: unknown): boolean {
  if (!nonce || typeof presented !== 'string') return false;
  const actual = Buffer.from(presented);
  return keys.some((key) => {
    const expected = Buffer.from(accountCsrfToken(key, nonce));
    return actual.length === expected.length && timingSafeEqual(actual, expected);
  });
}
