import type { PrismaClient, User } from '@omnichat/db';

export type SignInMethods = { password: boolean; providers: { label: string; email: string | null }[] };

/** How this account signs in, for /account: its password (if any) and each linked identity provider. */
export async function signInMethods(prisma: PrismaClient, user: Pick<User, 'id' | 'passwordHash'>): Promise<SignInMethods> {
  const identities = await prisma.externalIdentity.findMany({ where: { userId: user.id }, include: { provider: { select: { label: true } } }, orderBy: { createdAt: 'asc' } });
  return { password: user.passwordHash !== null, providers: identities.map((identity) => ({ label: identity.provider.label, email: identity.email })) };
}
