import type { PrismaClient } from '../generated/client.js';
import { OIDC_MODEL } from './models.js';

/** Ends an account's browser sessions at the auth server (they sign in again); returns how many. */
export async function endSessions(prisma: PrismaClient, accountId: string): Promise<number> {
  const { count } = await prisma.oidcPayload.deleteMany({ where: { model: OIDC_MODEL.Session, payload: { path: ['accountId'], equals: accountId } } });
  return count;
}

/** Deletes rows past their `expiresAt`; returns how many (the auth app runs it periodically). */
export async function sweepExpired(prisma: PrismaClient, clock: () => Date = () => new Date()): Promise<number> {
  const { count } = await prisma.oidcPayload.deleteMany({ where: { expiresAt: { lt: clock() } } });
  return count;
}
