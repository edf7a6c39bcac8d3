import type { PrismaClient } from '@omnichat/db';

export type Factors = { totp: boolean; passkeys: number };

/** The second factors a user has: a confirmed authenticator app, and passkeys. */
export async function factorsOf(prisma: PrismaClient, userId: string): Promise<Factors> {
  const [totp, passkeys] = await Promise.all([
    prisma.totpFactor.findFirst({ where: { userId, confirmedAt: { not: null } }, select: { userId: true } }),
    prisma.passkey.count({ where: { userId } }),
  ]);
  return { totp: totp !== null, passkeys };
}

export const hasFactor = (factors: Factors) => factors.totp || factors.passkeys > 0;
