import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

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

/** A sealed value that does not open: tampered, bound to another row, or sealed under another secret. */
export class SealedSecretError extends Error {
  override readonly name = 'SealedSecretError';
}

/**
 * AES-256-GCM with a fresh 96-bit IV (NIST SP 800-38D §8.2.2: random IVs are safe far beyond the
 * number of secrets we seal). `aad` binds the ciphertext to its row (e.g. a key id), so a
 * ciphertext copied onto another row fails to open. Output: base64url(iv).base64url(ct||tag).
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

/** Seals `plaintext` under the sub-key for `purpose`, bound to `aad` (the row it is stored on). */
export function sealSecret(plaintext: string, secret: string, purpose: string, aad: string): string {
  return seal(deriveKey(secret, purpose), plaintext, aad);
}

/** Opens what `sealSecret` sealed with the same secret, purpose and aad; else SealedSecretError. */
export function openSecret(sealed: string, secret: string, purpose: string, aad: string): string {
  return open(deriveKey(secret, purpose), sealed, aad);
}
