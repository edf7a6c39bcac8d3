import type { PrismaClient } from '@omnichat/db';
import { BoundedMap } from '@omnichat/util';

/** How long a looked-up email is reused; an address change shows in whoami within this time. */
export const ACCOUNT_EMAIL_TTL_MS = 60_000;
const MAX_ENTRIES = 10_000;

type Entry = { email: string | null; emailVerified: boolean | null; freshUntilMs: number };

/** The account's email and whether it is verified (an admin or the company IdP vouched for it). */
export type AccountProfile = { email: string | null; emailVerified: boolean | null };

/**
 * The account email behind a token's `sub`, for whoami. Our access tokens do not carry the email
 * (a JWT access token is readable by the client, RFC 9068 §6), so it comes from the User row — but
 * once a minute per user at most, not on every call: whoami is the hot path of a connected client
 * and otherwise needs no database at all. Bounded by count (oldest first), one cache per Prisma
 * client (one per app instance).
 */
const caches = new WeakMap<PrismaClient, BoundedMap<string, Entry>>();

export async function accountProfile(prisma: PrismaClient, userId: string, now: number = Date.now()): Promise<AccountProfile> {
  let cache = caches.get(prisma);
  if (!cache) {
    cache = new BoundedMap(MAX_ENTRIES);
    caches.set(prisma, cache);
  }
  const entry = cache.get(userId);
  if (entry && now < entry.freshUntilMs) return { email: entry.email, emailVerified: entry.emailVerified };
  const user = await prisma.user.findUnique({ where: { id: userId }, select: { email: true, emailVerifiedAt: true } });
  const profile = { email: user?.email ?? null, emailVerified: user ? user.emailVerifiedAt !== null : null };
  cache.set(userId, { ...profile, freshUntilMs: now + ACCOUNT_EMAIL_TTL_MS });
  return profile;
}

export async function accountEmail(prisma: PrismaClient, userId: string, now: number = Date.now()): Promise<string | null> {
  return (await accountProfile(prisma, userId, now)).email;
}
