import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/**
 * Sub-keys derived from KEY_ENCRYPTION_SECRET with HKDF-SHA256 (RFC 5869), one per purpose, so
 * one operator secret covers key encryption, cookie signing and CSRF tokens without reuse.
 */
export function deriveKey(secret: string, purpose: string, lengthBytes = 32): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, 'omnichat-auth', purpose, lengthBytes));
}

const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * AES-256-GCM with a fresh 96-bit IV; `aad` binds the ciphertext to its row (the key id), so a
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
  const [ivPart, bodyPart] = sealed.split('.');
  if (!ivPart || !bodyPart) throw new Error('sealed value is malformed');
  const iv = Buffer.from(ivPart, 'base64url');
  const body = Buffer.from(bodyPart, 'base64url');
  const decipher = createDecipheriv('aes-256-gcm', key, iv);
  decipher.setAAD(Buffer.from(aad));
  decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
  return Buffer.concat([decipher.update(body.subarray(0, body.length - TAG_BYTES)), decipher.final()]).toString('utf8');
}
