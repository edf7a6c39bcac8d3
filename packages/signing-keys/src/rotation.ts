import type { Prisma, PrismaClient } from '@omnichat/db';

import { lockSigningKeys, newSigningKeyRow } from './signing-keys.js';
import { nextKeyWaitSeconds, retiredKeyExpired, rotationDue, type KeyTimings } from './rotation-policy.js';

export type RotationResult = {
  currentKid: string;
  retiredKid: string | undefined;
  nextKid: string;
  /** Retired keys removed because every token they signed has expired. */
  deletedKids: string[];
};

/** The `next` key has not been published long enough; promoting it could meet verifiers without it. */
export class RotationTooEarlyError extends Error {
  constructor(readonly waitSeconds: number) {
    super(`the next key was published less than KEY_PUBLISH_LEAD_SECONDS ago, so verifiers may not have it yet: wait ${waitSeconds} s (or force)`);
  }
}

type RotateOptions = { timings: KeyTimings; now?: Date; force?: boolean };

/**
 * One rotation step, under the key lock, so concurrent runs (replicas' schedules, the admin CLI)
 * are serial and each sees the previous one's result: current → retired, next → current, a fresh
 * next, and retired keys past their retention deleted.
 */
export async function rotateSigningKeys(prisma: PrismaClient, secret: string, options: RotateOptions): Promise<RotationResult> {
  const result = await rotate(prisma, secret, options, () => true);
  if (!result) throw new Error('unreachable: an unconditional rotation always rotates');
  return result;
}

/**
 * The automatic schedule (KEY_ROTATION_DAYS), run by every replica on its key poll. Cheap when
 * nothing is due (two small SELECTs, no lock); "due" is checked again under the lock, so two
 * replicas never rotate twice for one period.
 */
export async function rotateIfDue(
  prisma: PrismaClient,
  secret: string,
  options: { timings: KeyTimings; now?: Date },
): Promise<{ rotation: RotationResult | undefined; deletedKids: string[] }> {
  const now = options.now ?? new Date();
  const due = (current: { activatedAt: Date | null } | null) => current !== null && rotationDue(current.activatedAt, now, options.timings);
  if (due(await prisma.signingKey.findFirst({ where: { state: 'current' }, select: { activatedAt: true } }))) {
    try {
      const rotation = await rotate(prisma, secret, { ...options, now }, due);
      if (rotation) return { rotation, deletedKids: rotation.deletedKids };
    } catch (error) {
      // A young next key means the schedule's own last rotation was moments ago: nothing to do.
      if (!(error instanceof RotationTooEarlyError)) throw error;
    }
  }
  return { rotation: undefined, deletedKids: await deleteExpiredRetiredKeys(prisma, options.timings, now) };
}

/** Deletes retired keys whose tokens have all expired; returns their kids. */
export async function deleteExpiredRetiredKeys(prisma: PrismaClient, timings: KeyTimings, now: Date = new Date()): Promise<string[]> {
  const retired = await prisma.signingKey.findMany({ where: { state: 'retired' }, select: { retiredAt: true } });
  if (!retired.some((key) => key.retiredAt && retiredKeyExpired(key.retiredAt, now, timings))) return [];
  return prisma.$transaction(async (tx) => {
    await lockSigningKeys(tx);
    return deleteExpiredRetired(tx, now, timings);
  });
}

async function rotate(
  prisma: PrismaClient,
  secret: string,
  options: RotateOptions,
  stillWanted: (current: { activatedAt: Date | null } | null) => boolean,
): Promise<RotationResult | undefined> {
  const now = options.now ?? new Date();
  // Generated before taking the lock: RSA generation is slow, and the lock is shared by replicas.
  const fresh = await newSigningKeyRow(secret, 'next', now);
  return prisma.$transaction(async (tx) => {
    await lockSigningKeys(tx);
    const current = await tx.signingKey.findFirst({ where: { state: 'current' } });
    if (!stillWanted(current)) return undefined;
    const next = await tx.signingKey.findFirst({ where: { state: 'next' }, orderBy: { createdAt: 'asc' } });
    if (next && !options.force) {
      const wait = nextKeyWaitSeconds(next.createdAt, now, options.timings);
      if (wait > 0) throw new RotationTooEarlyError(wait);
    }
    if (current) await tx.signingKey.update({ where: { kid: current.kid }, data: { state: 'retired', retiredAt: now } });
    let promoted: string;
    let nextKid: string;
    if (next) {
      await tx.signingKey.update({ where: { kid: next.kid }, data: { state: 'current', activatedAt: now } });
      await tx.signingKey.create({ data: fresh });
      [promoted, nextKid] = [next.kid, fresh.kid];
    } else {
      // A database without a next key (made before rotation existed): the fresh key signs at once.
      await tx.signingKey.create({ data: { ...fresh, state: 'current', activatedAt: now } });
      const another = await newSigningKeyRow(secret, 'next', now);
      await tx.signingKey.create({ data: another });
      [promoted, nextKid] = [fresh.kid, another.kid];
    }
    const deletedKids = await deleteExpiredRetired(tx, now, options.timings);
    return { currentKid: promoted, retiredKid: current?.kid, nextKid, deletedKids };
  }, { timeout: 15_000 });
}

async function deleteExpiredRetired(tx: Prisma.TransactionClient, now: Date, timings: KeyTimings): Promise<string[]> {
  const retired = await tx.signingKey.findMany({ where: { state: 'retired' } });
  const expired = retired.filter((key) => key.retiredAt !== null && retiredKeyExpired(key.retiredAt, now, timings)).map((key) => key.kid);
  if (expired.length > 0) await tx.signingKey.deleteMany({ where: { kid: { in: expired } } });
  return expired;
}
