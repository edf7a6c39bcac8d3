import { openSecret, sealSecret } from '@omnichat/secrets';

/** HKDF purpose of the sub-key that seals IdP client secrets (one purpose per kind of secret). */
const PURPOSE = 'idp-client-secret';

/** Sealed at rest like signing and SSH keys, bound to the provider's slug (a copied row fails to open). */
export function sealClientSecret(clientSecret: string, keyEncryptionSecret: string, slug: string): string {
  return sealSecret(clientSecret, keyEncryptionSecret, PURPOSE, `idp:${slug}`);
}

/** Throws SealedSecretError when the row was sealed under another secret or tampered with. */
export function openClientSecret(sealed: string, keyEncryptionSecret: string, slug: string): string {
  return openSecret(sealed, keyEncryptionSecret, PURPOSE, `idp:${slug}`);
}
