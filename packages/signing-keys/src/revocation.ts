import type { PrismaClient } from '@omnichat/db';

import { lockSigningKeys, newSigningKeyRow } from './signing-keys.js';

/**
 * Emergency revocation of a signing key (a leaked private half). Unlike retirement, a revoked key
 * leaves `/jwks` at once and for good: state `revoked` (never published, never opened), its sealed
 * private half wiped, `retiredAt` set to the revocation time. The row stays so every MCP replica
 * keeps refusing tokens that name its kid, even ones minted later by whoever holds the key (the
 * MCP app polls the revoked kids, apps/mcp/src/auth/revoked-keys.ts). Replicas of the auth app
 * see the changed key set on their next KEY_SET_POLL_SECONDS poll and rebuild without it.
 */
export type RevocationResult = {
  kid: string;
  /** The state the key was in: current, next or retired. */
  wasState: string;
  /** The key that signs now (the promoted next key, or a fresh one with `newKey`). */
  currentKid: string;
  /** The key published to sign after it. */
  nextKid: string;
};

export class RevocationRefusedError extends Error {}

type RevokeOptions = {
  now?: Date;
  /**
   * When the current key is revoked and no next key exists to promote: sign with a freshly made
   * key at once (verifiers fetch it on first sight of its kid, jose's cool-down permitting).
   * Without it, that case is refused: nothing would be left to sign with.
   */
  newKey?: boolean;
};

export async function revokeSigningKey(prisma: PrismaClient, secret: string, kid: string, options: RevokeOptions = {}): Promise<RevocationResult> {
  const now = options.now ?? new Date();
  // Generated before the lock (RSA generation is slow); unused ones are discarded.
  const [freshA, freshB] = await Promise.all([newSigningKeyRow(secret, 'next', now), newSigningKeyRow(secret, 'next', now)]);
  return prisma.$transaction(async (tx) => {
    await lockSigningKeys(tx);
    const key = await tx.signingKey.findUnique({ where: { kid } });
    if (!key) throw new RevocationRefusedError(`no signing key with kid ${kid} (pnpm admin keys:list shows them)`);
    if (key.state === 'revoked') throw new RevocationRefusedError(`signing key ${kid} is already revoked`);
    const next = await tx.signingKey.findFirst({ where: { state: 'next' }, orderBy: { createdAt: 'asc' } });

    if (key.state === 'current' && !next && !options.newKey) {
      throw new RevocationRefusedError(
        `signing key ${kid} is the only key that can sign and there is no next key to replace it; ` +
          'pass --new-key to sign with a freshly generated key at once (verifiers may refuse new tokens until they refetch /jwks, at most their cool-down)',
      );
    }
    await tx.signingKey.update({ where: { kid }, data: { state: 'revoked', retiredAt: now, privateJwkEncrypted: '' } });

    let currentKid: string;
    let nextKid: string;
    if (key.state === 'current') {
      if (next) {
        await tx.signingKey.update({ where: { kid: next.kid }, data: { state: 'current', activatedAt: now } });
        currentKid = next.kid;
      } else {
        await tx.signingKey.create({ data: { ...freshB, state: 'current', activatedAt: now } });
        currentKid = freshB.kid;
      }
      await tx.signingKey.create({ data: freshA });
      nextKid = freshA.kid;
    } else {
      const current = await tx.signingKey.findFirst({ where: { state: 'current' }, select: { kid: true } });
      if (!current) throw new RevocationRefusedError('no current signing key: start the auth app once to create keys');
      currentKid = current.kid;
      if (key.state === 'next' || !next) {
        await tx.signingKey.create({ data: freshA });
        nextKid = freshA.kid;
      } else {
        nextKid = next.kid;
      }
    }
    return { kid, wasState: key.state, currentKid, nextKid };
  }, { timeout: 15_000 });
}
