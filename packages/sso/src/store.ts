import type { IdentityProvider, PrismaClient } from '@omnichat/db';

import { sealClientSecret } from './client-secret.js';
import type { IdpSettings } from './settings.js';

/** An IdP as anyone may see it: never the secret, sealed or not. */
export type PublicIdentityProvider = Omit<IdentityProvider, 'clientSecretEncrypted'>;

export const publicIdentityProvider = ({ clientSecretEncrypted: _sealed, ...rest }: IdentityProvider): PublicIdentityProvider => rest;

export class IdpExistsError extends Error {
  override readonly name = 'IdpExistsError';
}

/** Stores a validated IdP with its client secret sealed under KEY_ENCRYPTION_SECRET. */
export async function addIdentityProvider(prisma: PrismaClient, settings: IdpSettings, clientSecret: string, keyEncryptionSecret: string): Promise<IdentityProvider> {
  if (await prisma.identityProvider.findUnique({ where: { slug: settings.slug }, select: { id: true } })) {
    throw new IdpExistsError(`an identity provider named "${settings.slug}" already exists; remove it first (idp:remove) to replace it`);
  }
  return prisma.identityProvider.create({
    data: { ...settings, clientSecretEncrypted: sealClientSecret(clientSecret, keyEncryptionSecret, settings.slug) },
  });
}

export type IdentityProviderSummary = PublicIdentityProvider & {
  /** Accounts linked to this IdP. */
  linkedAccounts: number;
  /** Of those, the accounts that have no other way to sign in (no password, no other IdP). */
  soleSignInAccounts: number;
};

/** The accounts linked to `providerId` for which it is the only way to sign in. */
export async function soleSignInUsers(prisma: Pick<PrismaClient, 'user'>, providerId: string): Promise<{ id: string; email: string }[]> {
  return prisma.user.findMany({
    where: {
      passwordHash: null,
      identities: { some: { providerId }, none: { providerId: { not: providerId } } },
    },
    select: { id: true, email: true },
    orderBy: { email: 'asc' },
  });
}

export async function listIdentityProviders(prisma: PrismaClient): Promise<IdentityProviderSummary[]> {
  const rows = await prisma.identityProvider.findMany({ orderBy: { slug: 'asc' }, include: { _count: { select: { identities: true } } } });
  return Promise.all(rows.map(async ({ _count, ...row }) => ({
    ...publicIdentityProvider(row),
    linkedAccounts: _count.identities,
    soleSignInAccounts: (await soleSignInUsers(prisma, row.id)).length,
  })));
}

export type RemoveOutcome =
  | { removed: true; provider: PublicIdentityProvider; unlinked: number; stranded: { id: string; email: string }[] }
  | { removed: false; reason: 'not_found' }
  | { removed: false; reason: 'sole_sign_in'; stranded: { id: string; email: string }[] };

/**
 * Removes an IdP and its identity links. Refused while some account signs in only through it,
 * unless `force` (those accounts then cannot sign in until an admin sets a password or they are
 * linked again). Both checks and the delete run in one transaction, so a sign-in that links a new
 * account meanwhile is either counted or fails on the missing provider.
 */
export async function removeIdentityProvider(prisma: PrismaClient, slug: string, options: { force: boolean }): Promise<RemoveOutcome> {
  return prisma.$transaction(async (tx) => {
    const provider = await tx.identityProvider.findUnique({ where: { slug } });
    if (!provider) return { removed: false, reason: 'not_found' } as const;
    const stranded = await soleSignInUsers(tx, provider.id);
    if (stranded.length > 0 && !options.force) return { removed: false, reason: 'sole_sign_in', stranded } as const;
    const unlinked = await tx.externalIdentity.count({ where: { providerId: provider.id } });
    await tx.identityProvider.delete({ where: { id: provider.id } });
    await tx.ssoLogin.deleteMany({ where: { providerId: provider.id } });
    return { removed: true, provider: publicIdentityProvider(provider), unlinked, stranded } as const;
  }, { isolationLevel: 'Serializable' });
}
