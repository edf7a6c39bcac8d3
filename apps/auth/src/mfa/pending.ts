import { createHash } from 'node:crypto';

import type { PrismaClient } from '@omnichat/db';

/** How long a right password waits for its second factor (the interaction itself lasts 10 min). */
const PENDING_TTL_MS = 10 * 60_000;

/** Keys: the interaction uid (bound to the browser by oidc-provider's cookie), or the account page's nonce. */
export const interactionKey = (uid: string) => `interaction:${uid}`;
export const accountKey = (nonce: string) => `account:${createHash('sha256').update(nonce).digest('hex')}`;

/** Remembers that this browser gave the user's password; a second factor completes the sign-in. */
export async function rememberPassword(prisma: PrismaClient, key: string, userId: string, now = new Date()): Promise<void> {
  const expiresAt = new Date(now.getTime() + PENDING_TTL_MS);
  await prisma.pendingSignIn.upsert({ where: { key }, create: { key, userId, expiresAt }, update: { userId, expiresAt } });
}

/** The user whose password this browser gave, while it is fresh. */
export async function pendingUser(prisma: PrismaClient, key: string, now = new Date()): Promise<string | undefined> {
  const row = await prisma.pendingSignIn.findUnique({ where: { key } });
  return row && row.expiresAt > now ? row.userId : undefined;
}

export async function forgetPending(prisma: PrismaClient, key: string): Promise<void> {
  await prisma.pendingSignIn.deleteMany({ where: { key } });
}

export async function sweepPending(prisma: PrismaClient, now = new Date()): Promise<void> {
  await prisma.pendingSignIn.deleteMany({ where: { expiresAt: { lt: now } } });
  await prisma.webAuthnChallenge.deleteMany({ where: { expiresAt: { lt: now } } });
}

/** The factor was set up in this sign-in: the Continue step may complete it. */
export async function markSatisfied(prisma: PrismaClient, key: string, now = new Date()): Promise<void> {
  await prisma.pendingSignIn.updateMany({ where: { key }, data: { satisfiedAt: now } });
}

/** The user of a pending sign-in whose factor was set up, while it is fresh. */
export async function satisfiedUser(prisma: PrismaClient, key: string, now = new Date()): Promise<string | undefined> {
  const row = await prisma.pendingSignIn.findUnique({ where: { key } });
  return row && row.expiresAt > now && row.satisfiedAt ? row.userId : undefined;
}
