// Creates or updates the admin user idempotently: a second run with the same input writes nothing,
// so `updatedAt` and the hash (with its salt) stay as they were.
import type { Prisma, PrismaClient } from './generated/client.js';
import { hashPassword, verifyPassword } from './password.js';
import type { AdminSeedInput } from './seed-input.js';

export type AdminSeedOutcome = 'created' | 'updated' | 'unchanged';

type Db = PrismaClient | Prisma.TransactionClient;

export async function seedAdmin(db: Db, input: AdminSeedInput): Promise<AdminSeedOutcome> {
  const existing = await db.user.findUnique({ where: { email: input.email } });
  if (!existing) {
    // The operator who seeds names their own address: verified.
    await db.user.create({ data: { email: input.email, passwordHash: await hashPassword(input.password), isAdmin: true, emailVerifiedAt: new Date() } });
    return 'created';
  }
  // An account that signs in only through SSO has no password: seeding gives it one.
  const samePassword = await verifyPassword(existing.passwordHash, input.password);
  if (samePassword && existing.isAdmin) return 'unchanged';
  await db.user.update({
    where: { id: existing.id },
    data: {
      isAdmin: true,
      ...(samePassword ? {} : { passwordHash: await hashPassword(input.password) }),
    },
  });
  return 'updated';
}
