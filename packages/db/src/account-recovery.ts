// What the admin CLI and the auth app both do to an account's credentials: issue a password reset
// link, remove every second factor. Here rather than in either app, since no app imports another.
import { createHash, randomBytes } from 'node:crypto';

import type { PrismaClient } from './generated/client.js';

/** The path of a reset link on the auth app (`/account/reset/<token>`). */
export const RESET_PATH = '/account/reset/';

/** Only this is stored for a reset token (256 random bits, so a fast hash is enough). */
export const resetTokenHash = (token: string): string => createHash('sha256').update(token).digest('hex');

/**
 * Issues a single-use reset link (`pnpm admin user:reset-link`). Earlier unused links of the user
 * stop working: only the newest one is ever valid.
 */
export async function createResetLink(prisma: PrismaClient, issuer: string, userId: string, ttlSeconds: number, now = new Date()): Promise<{ url: string; expiresAt: Date }> {
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(now.getTime() + ttlSeconds * 1000);
  await prisma.$transaction([
    prisma.passwordReset.deleteMany({ where: { userId, usedAt: null } }),
    prisma.passwordReset.create({ data: { userId, tokenHash: resetTokenHash(token), expiresAt } }),
  ]);
  return { url: `${issuer}${RESET_PATH}${token}`, expiresAt };
}

/** `pnpm admin user:mfa-reset`: every factor and recovery code of the user goes. */
export async function removeAllFactors(prisma: PrismaClient, userId: string): Promise<{ totp: boolean; passkeys: number; recoveryCodes: number }> {
  const [totp, passkeys, recoveryCodes] = await prisma.$transaction([
    prisma.totpFactor.deleteMany({ where: { userId } }),
    prisma.passkey.deleteMany({ where: { userId } }),
    prisma.recoveryCode.deleteMany({ where: { userId } }),
  ]);
  return { totp: totp.count > 0, passkeys: passkeys.count, recoveryCodes: recoveryCodes.count };
}
