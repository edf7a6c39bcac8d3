import { hashPassword, MIN_ADMIN_PASSWORD_LENGTH, resetTokenHash, verifyPassword, type PrismaClient } from '@omnichat/db';

/** The same floor as the admin CLI's passwords; the ceiling keeps argon2id's input bounded. */
export const MIN_PASSWORD_LENGTH = MIN_ADMIN_PASSWORD_LENGTH;
export const MAX_PASSWORD_LENGTH = 1024;

/** Why a new password is refused, in words for the page; undefined when it is acceptable. */
export function newPasswordProblem(password: string, confirmation: string): string | undefined {
  if (password.length < MIN_PASSWORD_LENGTH) return `Choose a password of at least ${MIN_PASSWORD_LENGTH} characters.`;
  if (password.length > MAX_PASSWORD_LENGTH) return `Choose a password of at most ${MAX_PASSWORD_LENGTH} characters.`;
  if (password !== confirmation) return 'The two new passwords do not match.';
  return undefined;
}

/** Deletes the account's oidc-provider sessions (every browser signed in), except `keepSessionId`. */
export async function endOtherSessions(prisma: PrismaClient, userId: string, keepSessionId?: string): Promise<number> {
  return keepSessionId
    ? prisma.$executeRaw`DELETE FROM "OidcPayload" WHERE model = 'Session' AND payload->>'accountId' = ${userId} AND id <> ${keepSessionId}`
    : prisma.$executeRaw`DELETE FROM "OidcPayload" WHERE model = 'Session' AND payload->>'accountId' = ${userId}`;
}

/** `/account` → Change password: the current password must be right; returns false when it is not. */
export async function changePassword(prisma: PrismaClient, userId: string, current: string, next: string): Promise<boolean> {
  const user = await prisma.user.findUnique({ where: { id: userId } });
  if (!user || current.length > MAX_PASSWORD_LENGTH || !(await verifyPassword(user.passwordHash, current))) return false;
  await prisma.user.update({ where: { id: userId }, data: { passwordHash: await hashPassword(next) } });
  return true;
}

const RESET_TOKEN = /^[A-Za-z0-9_-]{43}$/;

/** The user a live (unused, unexpired) reset token belongs to, or undefined. Does not spend it. */
export async function resetTokenUser(prisma: PrismaClient, token: string, now = new Date()): Promise<string | undefined> {
  if (!RESET_TOKEN.test(token)) return undefined;
  const row = await prisma.passwordReset.findUnique({ where: { tokenHash: resetTokenHash(token) }, include: { user: true } });
  return row && !row.usedAt && row.expiresAt > now && !row.user.disabledAt ? row.userId : undefined;
}

/**
 * Spends the token and sets the password, atomically: of two concurrent posts only one finds the
 * row unused. Every session of the user ends (whoever held the old password is signed out).
 */
export async function resetPassword(prisma: PrismaClient, token: string, password: string, now = new Date()): Promise<string | undefined> {
  const userId = await resetTokenUser(prisma, token, now);
  if (!userId) return undefined;
  const passwordHash = await hashPassword(password);
  const spent = await prisma.passwordReset.updateMany({ where: { tokenHash: resetTokenHash(token), usedAt: null, expiresAt: { gt: now } }, data: { usedAt: now } });
  if (spent.count !== 1) return undefined;
  await prisma.user.update({ where: { id: userId }, data: { passwordHash } });
  await endOtherSessions(prisma, userId);
  return userId;
}
