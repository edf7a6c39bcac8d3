import type { Prisma } from '@omnichat/db';
import { ringOf, sealSecret, type SecretRing } from '@omnichat/secrets';

import { lockSigningKeys, openSigningKeySealed, SIGNING_KEY_PURPOSE } from './signing-keys.js';

export type ResealResult = {
  /** Rows re-sealed under the current secret (ids). */
  resealed: string[];
  /** Rows already in the current format under the current secret. */
  upToDate: number;
};

/**
 * Re-seals every signing key's private half under the ring's current secret (the versioned
 * format), inside the caller's transaction and under the signing-key lock, so a rotation on a
 * replica cannot add a key halfway through. A key no secret of the ring opens throws (naming its
 * kid, never a secret) and the caller's transaction writes nothing. The key set's fingerprint (kid
 * and state) does not change, so no replica rebuilds its provider: their keys are already open.
 */
export async function resealSigningKeys(tx: Prisma.TransactionClient, secret: string | SecretRing): Promise<ResealResult> {
  const ring = ringOf(secret);
  await lockSigningKeys(tx);
  // Revoked keys have no private half left to seal.
  const rows = await tx.signingKey.findMany({ where: { state: { not: 'revoked' } }, select: { kid: true, privateJwkEncrypted: true }, orderBy: { kid: 'asc' } });
  const stale = rows
    .map((row) => ({ kid: row.kid, opened: openSigningKeySealed(row.privateJwkEncrypted, ring, row.kid) }))
    .filter((row) => !row.opened.upToDate);
  for (const row of stale) {
    await tx.signingKey.update({ where: { kid: row.kid }, data: { privateJwkEncrypted: sealSecret(row.opened.plaintext, ring, SIGNING_KEY_PURPOSE, row.kid) } });
  }
  return { resealed: stale.map((row) => row.kid), upToDate: rows.length - stale.length };
}
