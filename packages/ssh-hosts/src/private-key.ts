import { openSecret, sealSecret, type SecretRing } from '@omnichat/secrets';
import { sshUtils } from './ssh-library.js';

/** HKDF purpose of the sub-key that seals SSH private keys; distinct from signing keys' (RFC 5869 `info`). */
export const SSH_PRIVATE_KEY_PURPOSE = 'ssh-private-key';

/**
 * Checks an admin-supplied client private key: one unencrypted OpenSSH/PEM private key. A
 * passphrase-protected key is refused: the server has no one to ask, and storing the passphrase
 * beside it would add nothing to the encryption at rest.
 */
export function checkPrivateKey(text: string): { type: string } {
  const parsed = sshUtils.parseKey(text);
  if (parsed instanceof Error) throw new TypeError(`private key is not usable: ${parsed.message}`);
  if (Array.isArray(parsed)) throw new TypeError('private key file holds several keys; give exactly one');
  if (!parsed.isPrivateKey()) throw new TypeError('key file holds a public key; give the private key');
  return { type: parsed.type };
}

/** Sealed with AES-256-GCM under KEY_ENCRYPTION_SECRET's `ssh-private-key` sub-key, bound to the host row id. */
export function sealPrivateKey(privateKey: string, keyEncryptionSecret: string, hostId: string): string {
  return sealSecret(privateKey, keyEncryptionSecret, SSH_PRIVATE_KEY_PURPOSE, hostId);
}

export function openPrivateKey(sealed: string, keyRing: SecretRing | string, hostId: string): string {
  return openSecret(sealed, keyRing, SSH_PRIVATE_KEY_PURPOSE, hostId);
}
