/**
 * How long keys stay in each state; pure arithmetic over the configuration, tested with tables.
 *
 * A retired key must verify every token it signed until that token expires: the longest token
 * lifetime it signs (access tokens; ID tokens, which oidc-provider gives 3600 s by default), plus
 * the poll interval (another replica keeps signing with it until it notices the rotation), plus
 * clock skew between machines.
 */
export const ID_TOKEN_TTL_SECONDS = 3600;
export const CLOCK_SKEW_SECONDS = 60;

export type KeyTimings = {
  accessTokenTtlSeconds: number;
  /** How often each replica polls the key-set version (the bound on picking up a change). */
  keySetPollSeconds: number;
  /**
   * How long a `next` key is published before it may sign: at least the longest a verifier caches
   * the JWKS (jose's default cacheMaxAge is 10 min) plus the poll, so no verifier meets an unknown kid.
   */
  keyPublishLeadSeconds: number;
  /** Automatic rotation period; 0 turns the schedule off. */
  keyRotationDays: number;
};

export function retiredKeyRetentionSeconds(timings: KeyTimings): number {
  return Math.max(timings.accessTokenTtlSeconds, ID_TOKEN_TTL_SECONDS) + Math.ceil(timings.keySetPollSeconds) + CLOCK_SKEW_SECONDS;
}

/** True when a retired key may be deleted: nothing it signed can still be valid. */
export function retiredKeyExpired(retiredAt: Date, now: Date, timings: KeyTimings): boolean {
  return now.getTime() - retiredAt.getTime() >= retiredKeyRetentionSeconds(timings) * 1000;
}

/** Seconds the `next` key must still wait before it may be promoted (0 when it may). */
export function nextKeyWaitSeconds(nextCreatedAt: Date, now: Date, timings: KeyTimings): number {
  const waited = (now.getTime() - nextCreatedAt.getTime()) / 1000;
  return Math.max(0, Math.ceil(timings.keyPublishLeadSeconds - waited));
}

/** True when the schedule says the current key has signed long enough. */
export function rotationDue(activatedAt: Date | null, now: Date, timings: KeyTimings): boolean {
  if (timings.keyRotationDays <= 0 || activatedAt === null) return false;
  return now.getTime() - activatedAt.getTime() >= timings.keyRotationDays * 24 * 3600 * 1000;
}
