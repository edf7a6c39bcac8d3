import type { PrismaClient } from '@omnichat/db';
import type { FindAccount } from 'oidc-provider';

/** oidc-provider's account seam: a disabled or deleted user is no account (tokens stop refreshing). */
export function createFindAccount(prisma: PrismaClient): FindAccount {
  return async (_ctx, id) => {
    const user = await prisma.user.findUnique({ where: { id } }).catch(() => null);
    if (!user || user.disabledAt) return undefined;
    return {
      accountId: user.id,
      claims: async () => ({
        sub: user.id,
        email: user.email,
        // Accounts are provisioned by an administrator; we have not proven the address ourselves.
        email_verified: false,
        updated_at: Math.floor(user.updatedAt.getTime() / 1000),
      }),
    };
  };
}
