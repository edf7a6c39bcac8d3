import { normaliseEmail, type PrismaClient, type User } from '@omnichat/db';

import { CommandError } from './command.js';

/** The user with this email (any case), or a "not found" refusal (exit 1). */
export async function findUserByEmail(prisma: PrismaClient, email: string): Promise<User> {
  const user = await prisma.user.findUnique({ where: { email: normaliseEmail(email) } });
  if (!user) throw new CommandError(`no user with email ${normaliseEmail(email)}`);
  return user;
}

export const publicUser = (user: User) => ({
  id: user.id,
  email: user.email,
  isAdmin: user.isAdmin,
  disabledAt: user.disabledAt,
  createdAt: user.createdAt,
});
