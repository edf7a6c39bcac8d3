import { hkdfSync } from 'node:crypto';

import { MIN_KEY_ENCRYPTION_SECRET_CHARS } from './dev-secret.js';

/**
 * The secrets a process may open sealed values with: KEY_ENCRYPTION_SECRET (`current`, the only
 * one anything is sealed or signed with) and KEY_ENCRYPTION_SECRET_PREVIOUS (`previous`, a comma
 * list, newest first), accepted for opening only while a rotation is under way.
 */
export type SecretRing = { readonly current: string; readonly previous: readonly string[] };

/** A bare secret is a ring with nothing previous. */
export const ringOf = (secret: string | SecretRing): SecretRing => (typeof secret === 'string' ? { current: secret, previous: [] } : secret);

/** Every secret of the ring, current first. */
export const ringSecrets = (ring: SecretRing): string[] => [ring.current, ...ring.previous];

/**
 * A short public name for a secret (HKDF-SHA256, its own `info`, 48 bits, base64url), written into
 * every versioned sealed value so an opener knows which secret sealed it without trying each, and
 * so `secrets:rotate` knows what is still under an old one. It reveals nothing an attacker could
 * not test against any ciphertext already (the GCM tag), and it is no key.
 */
export function secretId(secret: string): string {
  return Buffer.from(hkdfSync('sha256', secret, 'omnichat-auth', 'sealed-value-secret-id', 6)).toString('base64url');
}

/**
 * Parses KEY_ENCRYPTION_SECRET_PREVIOUS (comma list; a secret cannot contain a comma). Returns the
 * problems as messages that never quote a secret: configuration errors are printed and logged.
 */
export function previousSecretsProblems(previous: readonly string[], current: string | undefined): string[] {
  const problems: string[] = [];
  previous.forEach((secret, index) => {
    if (secret.length < MIN_KEY_ENCRYPTION_SECRET_CHARS) problems.push(`entry ${index + 1} is shorter than ${MIN_KEY_ENCRYPTION_SECRET_CHARS} characters`);
    if (current !== undefined && secret === current) problems.push(`entry ${index + 1} is KEY_ENCRYPTION_SECRET itself (list only the secrets it replaced)`);
    if (previous.indexOf(secret) !== index) problems.push(`entry ${index + 1} repeats an earlier entry`);
  });
  if (previous.length > 0 && current === undefined) problems.push('is set but KEY_ENCRYPTION_SECRET is not');
  return problems;
}
