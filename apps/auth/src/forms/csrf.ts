import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

import { deriveKeys, type SecretRing } from '@omnichat/secrets';

/**
 * Synchronizer tokens for every form of ours (AS-56; oidc-provider protects only its own forms):
 * an HMAC of what the form is bound to. A token is signed with the current secret's key and valid
 * under any key of the ring (KEY_ENCRYPTION_SECRET_PREVIOUS's too), so a form rendered before a
 * secret rotation still posts after it.
 * - `interaction`: sign-in, consent, second-factor and SSO forms of an oidc-provider interaction,
 *   bound to its uid, itself bound to the browser by oidc-provider's path-scoped interaction cookie,
 *   so a token is useless in another browser or for another interaction;
 * - `account`: the /account forms, which have no interaction to bind to, bound to a random nonce in
 *   an HttpOnly, SameSite=Strict cookie scoped to /account (below). A cross-site page can neither
 *   read the cookie nor compute the token.
 */
export type FormCsrf = { interaction: CsrfBinding; account: CsrfBinding };

export type CsrfBinding = {
  token(subject: string): string;
  valid(subject: string | undefined, presented: unknown): boolean;
};

export function formCsrf(ring: string | SecretRing): FormCsrf {
  return {
    interaction: binding(deriveKeys(ring, 'csrf'), 'interaction'),
    account: binding(deriveKeys(ring, 'account-csrf'), 'account'),
  };
}

function binding(keys: readonly Buffer[], kind: string): CsrfBinding {
  const [current] = keys as [Buffer, ...Buffer[]];
  const sign = (key: Buffer, subject: string) => createHmac('sha256', key).update(`${kind}:${subject}`).digest('base64url');
  return {
    token: (subject) => sign(current, subject),
    valid(subject, presented) {
      if (!subject || typeof presented !== 'string') return false;
      const actual = Buffer.from(presented);
      return keys.some((key) => {
        const expected = Buffer.from(sign(key, subject));
        return actual.length === expected.length && timingSafeEqual(actual, expected);
      });
    },
  };
}

/** The account forms' nonce cookie. */
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
