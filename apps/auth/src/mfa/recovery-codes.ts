import { createHash, randomInt } from 'node:crypto';

import type { PrismaClient } from '@omnichat/db';

export const RECOVERY_CODE_COUNT = 10;
/** Crockford-style alphabet without look-alikes (0/O, 1/I/L): 32 symbols, 5 bits each. */
const ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';

/** 10 symbols (~50 bits) shown as XXXXX-XXXXX. Random enough that a fast hash is a fair store. */
function newCode(): string {
  const symbols = Array.from({ length: 10 }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');
  return `${symbols.slice(0, 5)}-${symbols.slice(5)}`;
}

const normalise = (code: string) => code.toUpperCase().replace(/[^A-Z0-9]/g, '');
/** Bound to the user, so two users' codes never share a hash (the column is unique). */
const hashCode = (userId: string, code: string) => createHash('sha256').update(`recovery:${userId}:${normalise(code)}`).digest('hex');

/** Replaces the user's recovery codes with ten new ones; returns them (shown once, never stored). */
export async function issueRecoveryCodes(prisma: PrismaClient, userId: string): Promise<string[]> {
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newCode);
  await prisma.$transaction([
    prisma.recoveryCode.deleteMany({ where: { userId } }),
    prisma.recoveryCode.createMany({ data: codes.map((code) => ({ userId, codeHash: hashCode(userId, code) })) }),
  ]);
  return codes;
}

/** Spends one unused code of this user; false for a wrong, used or someone else's code. */
export async function useRecoveryCode(prisma: PrismaClient, userId: string, code: string, now = new Date()): Promise<boolean> {
  if (normalise(code).length !== 10) return false;
  const spent = await prisma.recoveryCode.updateMany({ where: { userId, codeHash: hashCode(userId, code), usedAt: null }, data: { usedAt: now } });
  return spent.count === 1;
}

export async function recoveryCodesLeft(prisma: PrismaClient, userId: string): Promise<number> {
  return prisma.recoveryCode.count({ where: { userId, usedAt: null } });
}
