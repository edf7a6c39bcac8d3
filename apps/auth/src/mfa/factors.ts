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

/** `pnpm admin user:mfa-reset`: every factor and recovery code of the user goes. */
export async function removeAllFactors(prisma: PrismaClient, userId: string): Promise<{ totp: boolean; passkeys: number; recoveryCodes: number }> {
  const [totp, passkeys, recoveryCodes] = await prisma.$transaction([
    prisma.totpFactor.deleteMany({ where: { userId } }),
    prisma.passkey.deleteMany({ where: { userId } }),
    prisma.recoveryCode.deleteMany({ where: { userId } }),
  ]);
  return { totp: totp.count > 0, passkeys: passkeys.count, recoveryCodes: recoveryCodes.count };
}
