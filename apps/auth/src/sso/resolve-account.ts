import { normaliseEmail, Prisma, type IdentityProvider, type PrismaClient } from '@omnichat/db';
import { emailDomain } from '@omnichat/sso';

/** What the IdP asserted about the person (ID token, completed from UserInfo when it lacks an email). */
export type AssertedIdentity = { sub: string; email: string | undefined; emailVerified: boolean };

export type PolicyRefusal =
  | 'account_disabled'
  | 'unverified_email_link'
  | 'domain_not_allowed'
  | 'email_unverified'
  | 'no_email'
  | 'jit_disabled';

export type Resolution =
  | { ok: true; accountId: string; outcome: 'returning' | 'linked' | 'created'; emailVerified: boolean }
  | { ok: false; reason: PolicyRefusal; email?: string | undefined };

const MAX_EMAIL_CHARS = 320;

/** The email the IdP asserts, normalised, or undefined when missing or not an address. */
export function assertedEmail(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length > MAX_EMAIL_CHARS || value.includes('\u0000')) return undefined;
  const email = normaliseEmail(value);
  return emailDomain(email) ? email : undefined;
}

/**
 * The domain rule of an IdP with `--allow-domain`: only a verified email in a listed domain
 * counts, since an unverified one is whatever the person typed at the IdP. Applied to every
 * sign-in, so narrowing the list takes effect for people already linked too.
 */
function domainRefusal(idp: IdentityProvider, who: AssertedIdentity): PolicyRefusal | undefined {
  if (idp.allowedDomains.length === 0) return undefined;
  if (!who.email) return 'no_email';
  if (!who.emailVerified) return 'email_unverified';
  return idp.allowedDomains.includes(emailDomain(who.email) ?? '') ? undefined : 'domain_not_allowed';
}

/**
 * Which of our accounts this IdP sign-in is. Found by (provider, sub) — never by email — once
 * linked. The first time: linked to the local account with that email only when the IdP asserts
 * `email_verified: true` (an unverified email could be anyone's), otherwise created just in time
 * when the IdP allows it, otherwise refused with the reason. Disabled accounts stay refused.
 */
export async function resolveAccount(prisma: PrismaClient, idp: IdentityProvider, who: AssertedIdentity, now: Date): Promise<Resolution> {
  const domain = domainRefusal(idp, who);
  if (domain) return { ok: false, reason: domain, email: who.email };

  const linked = await prisma.externalIdentity.findUnique({ where: { providerId_subject: { providerId: idp.id, subject: who.sub } }, include: { user: true } });
  if (linked) {
    if (linked.user.disabledAt) return { ok: false, reason: 'account_disabled', email: linked.user.email };
    await prisma.externalIdentity.update({ where: { id: linked.id }, data: { email: who.email ?? null, emailVerified: who.emailVerified, lastSignInAt: now } });
    return { ok: true, accountId: linked.userId, outcome: 'returning', emailVerified: linked.user.emailVerifiedAt !== null };
  }

  if (!who.email) return { ok: false, reason: 'no_email' };
  const existing = await prisma.user.findUnique({ where: { email: who.email } });
  if (existing) {
    if (!who.emailVerified) return { ok: false, reason: 'unverified_email_link', email: who.email };
    if (existing.disabledAt) return { ok: false, reason: 'account_disabled', email: who.email };
    await prisma.$transaction([
      prisma.externalIdentity.create({ data: { providerId: idp.id, subject: who.sub, userId: existing.id, email: who.email, emailVerified: true, lastSignInAt: now } }),
      // The IdP vouches for the address now, if nobody had.
      ...(existing.emailVerifiedAt ? [] : [prisma.user.update({ where: { id: existing.id }, data: { emailVerifiedAt: now } })]),
    ]);
    return { ok: true, accountId: existing.id, outcome: 'linked', emailVerified: true };
  }

  if (!idp.jitEnabled) return { ok: false, reason: 'jit_disabled', email: who.email };
  const user = await prisma.user.create({
    data: {
      email: who.email,
      passwordHash: null,
      emailVerifiedAt: who.emailVerified ? now : null,
      identities: { create: { providerId: idp.id, subject: who.sub, email: who.email, emailVerified: who.emailVerified, lastSignInAt: now } },
    },
  });
  return { ok: true, accountId: user.id, outcome: 'created', emailVerified: who.emailVerified };
}

/**
 * resolveAccount, once more when a concurrent first sign-in of the same person (two tabs, two
 * replicas) created the account or the link in between: the second attempt then finds it.
 */
export async function resolveAccountOnce(prisma: PrismaClient, idp: IdentityProvider, who: AssertedIdentity, now: Date): Promise<Resolution> {
  try {
    return await resolveAccount(prisma, idp, who, now);
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') return resolveAccount(prisma, idp, who, now);
    throw error;
  }
}
