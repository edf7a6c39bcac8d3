import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';
import type { PrismaClient } from '@omnichat/db';

import { deriveKey, open, seal } from './secret-box.js';

/**
 * RS256: the MCP server verifies every access token on every call (the hot path, cached JWKS), and
 * RSA verification is about 2x faster than ES256; RSA signing is ~5x slower, but a token is signed
 * once. It is also the one algorithm every JWT library verifies.
 */
export const SIGNING_ALG = 'RS256' as const;

/**
 * Key lifecycle, the seam for rotation (operations issue): `next` is published but not used to
 * sign, `current` signs (exactly one), `retired` is published for verification only until every
 * token it signed has expired, then deleted. oidc-provider signs with the first key of `jwks`
 * that fits the algorithm, so `current` goes first.
 */
export type KeyState = 'next' | 'current' | 'retired';
const STATE_ORDER: Record<KeyState, number> = { current: 0, next: 1, retired: 2 };

/** Serialises first-start key generation across replicas (pg advisory lock id). */
const KEY_GENERATION_LOCK = 4_174_220_001;

export type SigningKeys = { keys: JWK[] };

/** Creates the first key if none signs yet; safe when several replicas start at once. */
export async function ensureSigningKey(prisma: PrismaClient, secret: string): Promise<void> {
  if (await prisma.signingKey.findFirst({ where: { state: 'current' }, select: { kid: true } })) return;
  const boxKey = deriveKey(secret, 'signing-key-encryption');
  const { privateKey } = await generateKeyPair(SIGNING_ALG, { modulusLength: 2048, extractable: true });
  const privateJwk = await exportJWK(privateKey);
  const kid = await calculateJwkThumbprint(privateJwk);
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...publicJwk } = privateJwk;
  await prisma.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(${KEY_GENERATION_LOCK}::bigint)`;
    if (await tx.signingKey.findFirst({ where: { state: 'current' }, select: { kid: true } })) return;
    await tx.signingKey.create({
      data: {
        kid,
        alg: SIGNING_ALG,
        state: 'current',
        publicJwk: { ...publicJwk, kid, alg: SIGNING_ALG, use: 'sig' },
        privateJwkEncrypted: seal(boxKey, JSON.stringify(privateJwk), kid),
        activatedAt: new Date(),
      },
    });
  });
}

/** The private key set for oidc-provider's `jwks`, current key first. */
export async function loadSigningKeys(prisma: PrismaClient, secret: string): Promise<SigningKeys> {
  const boxKey = deriveKey(secret, 'signing-key-encryption');
  const rows = await prisma.signingKey.findMany();
  const usable = rows
    .filter((row): row is typeof row & { state: KeyState } => row.state in STATE_ORDER)
    .sort((a, b) => STATE_ORDER[a.state] - STATE_ORDER[b.state] || b.createdAt.getTime() - a.createdAt.getTime());
  if (!usable.some((row) => row.state === 'current')) throw new Error('no current signing key in the database');
  return {
    keys: usable.map((row) => {
      const privateJwk = JSON.parse(open(boxKey, row.privateJwkEncrypted, row.kid)) as JWK;
      return { ...privateJwk, kid: row.kid, alg: row.alg, use: 'sig' };
    }),
  };
}
