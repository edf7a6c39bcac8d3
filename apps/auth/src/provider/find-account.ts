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
        // An administrator vouched for the address when creating the account, unless told not to
        // (`user:add --unverified`); ChatGPT's workspace domain rules need it true.
        email_verified: user.emailVerifiedAt !== null,
        updated_at: Math.floor(user.updatedAt.getTime() / 1000),
      }),
    };
  };
}
