import { normaliseEmail, verifyPassword, type PrismaClient } from '@omnichat/db';

/**
 * A PHC string for a password nobody has: unknown emails are verified against it so they cost the
 * same argon2id work as a wrong password, and the two cannot be told apart by timing (AS-54).
 */
const DUMMY_HASH = '$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$2mQqXdZ1bW6wC7mYgZ5sQ2u8x9G1bqY0Qn3kq7m2jvA';

/** The user's id when email and password match an enabled account, otherwise undefined. */
export async function authenticate(prisma: PrismaClient, email: string, password: string): Promise<string | undefined> {
  if (email.length > 320 || password.length > 1024) return undefined;
  // Postgres text cannot hold U+0000, so no account has one, and querying with it fails (fuzz).
  const user = email.includes('\u0000') ? null : await prisma.user.findUnique({ where: { email: normaliseEmail(email) } });
  const ok = await verifyPassword(user?.passwordHash ?? DUMMY_HASH, password).catch(() => false);
  return ok && user && !user.disabledAt ? user.id : undefined;
}

/** Generic on purpose: unknown email and wrong password must read the same (AS-54). */
export const BAD_CREDENTIALS = 'That email and password do not match an account.';
