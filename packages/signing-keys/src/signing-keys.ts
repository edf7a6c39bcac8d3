import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';
import type { Prisma, PrismaClient } from '@omnichat/db';

import { openSealed, sealSecret, SealedSecretError, type SecretRing } from '@omnichat/secrets';

/**
 * RS256: the MCP server verifies every access token on every call (the hot path, cached JWKS), and
 * RSA verification is about 2x faster than ES256; RSA signing is ~5x slower, but a token is signed
 * once. It is also the one algorithm every JWT library verifies.
 */
export const SIGNING_ALG = 'RS256' as const;

/**
 * Key lifecycle: `next` is published but not used to sign (so every verifier has it cached before
 * it signs anything), `current` signs (exactly one), `retired` is published for verification only
 * until every token it signed has expired, then deleted (see rotation.ts). A row in state `revoked`
 * (keys:revoke, revocation.ts) is never loaded or published again. oidc-provider signs
 * with the first key of `jwks` that fits the algorithm, so `current` goes first.
 */
export type KeyState = 'next' | 'current' | 'retired';
const STATE_ORDER: Record<KeyState, number> = { current: 0, next: 1, retired: 2 };

/** Serialises key generation and rotation across replicas and the admin CLI (pg advisory lock id). */
export const SIGNING_KEY_LOCK = 4_174_220_001;

export type SigningKeys = { keys: JWK[] };
type Tx = Prisma.TransactionClient;

/** HKDF purpose of the sub-key that seals signing keys (RFC 5869 `info`); bound to each key's kid. */
export const SIGNING_KEY_PURPOSE = 'signing-key-encryption';

/** A new key pair as a SigningKey row (private half sealed, bound to its kid). */
export async function newSigningKeyRow(secret: string, state: KeyState, now: Date): Promise<Prisma.SigningKeyCreateInput> {
  const { privateKey } = await generateKeyPair(SIGNING_ALG, { modulusLength: 2048, extractable: true });
  const privateJwk = await exportJWK(privateKey);
  const kid = await calculateJwkThumbprint(privateJwk);
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...publicJwk } = privateJwk;
  return {
    kid,
    alg: SIGNING_ALG,
    state,
    publicJwk: { ...publicJwk, kid, alg: SIGNING_ALG, use: 'sig' },
    privateJwkEncrypted: sealSecret(JSON.stringify(privateJwk), secret, SIGNING_KEY_PURPOSE, kid),
    createdAt: now,
    activatedAt: state === 'current' ? now : null,
  };
}

export async function lockSigningKeys(tx: Tx): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(${SIGNING_KEY_LOCK}::bigint)`;
}

/**
 * Creates the first `current` key, and a `next` key, if missing; safe when several replicas start
 * at once. Keys are generated outside the lock (RSA generation takes ~100 ms) and discarded when
 * another process won.
 */
export async function ensureSigningKey(prisma: PrismaClient, secret: string, now: Date = new Date()): Promise<void> {
  const states = async (db: Tx | PrismaClient) => new Set((await db.signingKey.findMany({ where: { state: { in: ['current', 'next'] } }, select: { state: true } })).map((row) => row.state));
  const present = await states(prisma);
  if (present.has('current') && present.has('next')) return;
  const fresh = {
    current: present.has('current') ? undefined : await newSigningKeyRow(secret, 'current', now),
    next: await newSigningKeyRow(secret, 'next', now),
  };
  await prisma.$transaction(async (tx) => {
    await lockSigningKeys(tx);
    const now = await states(tx);
    if (!now.has('current') && fresh.current) await tx.signingKey.create({ data: fresh.current });
    if (!now.has('next')) await tx.signingKey.create({ data: fresh.next });
  });
}

/**
 * A cheap fingerprint of the key set (ids and states): replicas poll it and rebuild their provider
 * only when it changes.
 */
export async function keySetVersion(prisma: PrismaClient): Promise<string> {
  const [row] = await prisma.$queryRaw<{ version: string }[]>`
    SELECT coalesce(string_agg(kid || ':' || state, ',' ORDER BY kid COLLATE "C"), '') AS version FROM "SigningKey"`;
  return row?.version ?? '';
}

/** The private key set for oidc-provider's `jwks`, current key first, with the set's version. */
export async function loadSigningKeys(prisma: PrismaClient, secret: string | SecretRing): Promise<SigningKeys & { version: string }> {
  const rows = await prisma.signingKey.findMany();
  const usable = rows
    .filter((row): row is typeof row & { state: KeyState } => row.state in STATE_ORDER)
    .sort((a, b) => STATE_ORDER[a.state] - STATE_ORDER[b.state] || b.createdAt.getTime() - a.createdAt.getTime());
  if (!usable.some((row) => row.state === 'current')) throw new Error('no current signing key in the database');
  return {
    version: rows.map((row) => `${row.kid}:${row.state}`).sort().join(','),
    keys: usable.map((row) => {
      const privateJwk = JSON.parse(openSigningKey(row.privateJwkEncrypted, secret, row.kid)) as JWK;
      return { ...privateJwk, kid: row.kid, alg: row.alg, use: 'sig' };
    }),
  };
}

/** A key sealed under another secret is an operator's mistake: say which key and what to do, never the secret. */
export function openSigningKey(sealed: string, secret: string | SecretRing, kid: string): string {
  return openSigningKeySealed(sealed, secret, kid).plaintext;
}

/** As openSigningKey, with whether it is already sealed under the current secret (secrets:rotate). */
export function openSigningKeySealed(sealed: string, secret: string | SecretRing, kid: string): ReturnType<typeof openSealed> {
  try {
    return openSealed(sealed, secret, SIGNING_KEY_PURPOSE, kid);
  } catch (error) {
    if (!(error instanceof SealedSecretError)) throw error;
    const previous = typeof secret === 'string' ? 0 : secret.previous.length;
    throw new Error(
      `signing key ${kid} does not open with this KEY_ENCRYPTION_SECRET${previous > 0 ? ` nor with any of the ${previous} KEY_ENCRYPTION_SECRET_PREVIOUS values` : ''}: ` +
        'start with the secret the keys were sealed with, or list it in KEY_ENCRYPTION_SECRET_PREVIOUS ' +
        '(a database first used without one was sealed with the public development secret)',
      { cause: error },
    );
  }
}
