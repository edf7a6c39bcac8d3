import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

import { ringOf, ringSecrets, secretId, type SecretRing } from './secret-ring.js';

/**
 * HKDF salt. It says "auth" because the auth app sealed the first secrets (signing keys) with it;
 * changing it would make every stored secret unreadable.
 */
const HKDF_SALT = 'omnichat-auth';

/**
 * Sub-keys derived from KEY_ENCRYPTION_SECRET with HKDF-SHA256 (RFC 5869), one per purpose (the
 * HKDF `info`), so one operator secret covers signing keys, SSH keys, cookie signing and CSRF
 * tokens without ever using one key for two jobs.
 */
export function deriveKey(secret: string, purpose: string, lengthBytes = 32): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, HKDF_SALT, purpose, lengthBytes));
}

const IV_BYTES = 12;
const TAG_BYTES = 16;
/** The sealed format's version tag: `v1.<secret id>.<iv>.<ciphertext+tag>`. */
export const SEALED_FORMAT_VERSION = 'v1';

/** A sealed value that does not open: tampered, bound to another row, or sealed under another secret. */
export class SealedSecretError extends Error {
  override readonly name = 'SealedSecretError';
}

/**
 * AES-256-GCM with a fresh 96-bit IV (NIST SP 800-38D §8.2.2: random IVs are safe far beyond the
 * number of secrets we seal). `aad` binds the ciphertext to its row (e.g. a key id), so a
 * ciphertext copied onto another row fails to open. Output: base64url(iv).base64url(ct||tag), the
 * unversioned format every value had before rotation existed (still opened, see openSealed).
 */
export function seal(key: Buffer, plaintext: string, aad: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(aad));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
  return `${iv.toString('base64url')}.${body.toString('base64url')}`;
}

export function open(key: Buffer, sealed: string, aad: string): string {
  const [ivPart, bodyPart, extra] = sealed.split('.');
  if (!ivPart || !bodyPart || extra !== undefined) throw new SealedSecretError('sealed value is malformed');
  const iv = Buffer.from(ivPart, 'base64url');
  const body = Buffer.from(bodyPart, 'base64url');
  if (iv.length !== IV_BYTES || body.length < TAG_BYTES) throw new SealedSecretError('sealed value is malformed');
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(aad));
    decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
    return Buffer.concat([decipher.update(body.subarray(0, body.length - TAG_BYTES)), decipher.final()]).toString('utf8');
  } catch {
    throw new SealedSecretError('sealed value does not open (wrong secret, wrong row, or tampered)');
  }
}

/** The header is authenticated with the row: a value cannot be relabelled to another secret or version. */
const versionedAad = (id: string, aad: string) => `${SEALED_FORMAT_VERSION}.${id}|${aad}`;

/**
 * Seals `plaintext` under the sub-key for `purpose` of `secret` (a ring's current secret), bound
 * to `aad` (the row it is stored on), in the versioned format.
 */
export function sealSecret(plaintext: string, secret: string | SecretRing, purpose: string, aad: string): string {
  const current = ringOf(secret).current;
  const id = secretId(current);
  return `${SEALED_FORMAT_VERSION}.${id}.${seal(deriveKey(current, purpose), plaintext, versionedAad(id, aad))}`;
}

export type Opened = {
  plaintext: string;
  /** True when the value is in the current format under the ring's current secret: nothing to re-seal. */
  upToDate: boolean;
};

/**
 * Opens a sealed value with any secret of the ring: a versioned value names its secret, an
 * unversioned one (sealed before versions existed) is tried with each. Messages never quote a
 * secret; callers add which row it was.
 */
export function openSealed(sealed: string, secret: string | SecretRing, purpose: string, aad: string): Opened {
  const ring = ringOf(secret);
  if (sealed.startsWith(`${SEALED_FORMAT_VERSION}.`)) {
    const [, id, iv, body, extra] = sealed.split('.');
    if (!id || iv === undefined || body === undefined || extra !== undefined) throw new SealedSecretError('sealed value is malformed');
    const match = ringSecrets(ring).find((candidate) => secretId(candidate) === id);
    if (match === undefined) {
      throw new SealedSecretError(
        `sealed under a secret (id ${id}) that is neither KEY_ENCRYPTION_SECRET nor in KEY_ENCRYPTION_SECRET_PREVIOUS`,
      );
    }
    return { plaintext: open(deriveKey(match, purpose), `${iv}.${body}`, versionedAad(id, aad)), upToDate: match === ring.current };
  }
  let malformed: SealedSecretError | undefined;
  for (const candidate of ringSecrets(ring)) {
    try {
      return { plaintext: open(deriveKey(candidate, purpose), sealed, aad), upToDate: false };
    } catch (error) {
      if (!(error instanceof SealedSecretError)) throw error;
      if (error.message === 'sealed value is malformed') malformed = error;
    }
  }
  throw malformed ?? new SealedSecretError(
    ring.previous.length === 0
      ? 'does not open with KEY_ENCRYPTION_SECRET (wrong secret, wrong row, or tampered)'
      : `does not open with KEY_ENCRYPTION_SECRET nor with any of the ${ring.previous.length} KEY_ENCRYPTION_SECRET_PREVIOUS values (wrong secret, wrong row, or tampered)`,
  );
}

/** Opens what `sealSecret` (or the unversioned `seal`) sealed; else SealedSecretError. */
export function openSecret(sealed: string, secret: string | SecretRing, purpose: string, aad: string): string {
  return openSealed(sealed, secret, purpose, aad).plaintext;
}

/**
 * The keys for a purpose that are verified but never signed with (cookies, CSRF tokens): the
 * current secret's first (it signs), then each previous secret's, so what was signed before a
 * rotation still verifies while KEY_ENCRYPTION_SECRET_PREVIOUS lists the old secret.
 */
export function deriveKeys(secret: string | SecretRing, purpose: string): Buffer[] {
  return ringSecrets(ringOf(secret)).map((candidate) => deriveKey(candidate, purpose));
}
