import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Synchronizer tokens for our interaction forms (oidc-provider protects only its own forms,
 * AS-56): an HMAC of the interaction uid. The uid itself is bound to the browser by
 * oidc-provider's path-scoped interaction cookie, so a token is useless in another browser or for
 * another interaction.
 */
export function csrfToken(key: Buffer, uid: string): string {
  return createHmac('sha256', key).update(`interaction:${uid}`).digest('base64url');
}

/**
 * Valid under any of `keys` (the current secret's first, then KEY_ENCRYPTION_SECRET_PREVIOUS's),
 * so a form rendered before a secret rotation still posts after it.
 */
export function csrfValid(keys: readonly Buffer[], uid: string, presented: unknown): boolean {
  if (typeof presented !== 'string') return false;
  const actual = Buffer.from(presented);
  return keys.some((key) => {
    const expected = Buffer.from(csrfToken(key, uid));
    return actual.length === expected.length && timingSafeEqual(actual, expected);
  });
}
