/** At most `max` events per `windowSeconds` for one subject (an IP, a client, a host). */
export type LimitRule = { name: string; max: number; windowSeconds: number };

/**
 * Sign-in failures: `freeFailures` per window cost nothing; each further failure doubles a hold
 * (1 s, 2 s, 4 s …) capped at `maxDelaySeconds`. The window ends on its own, so there is no
 * permanent lock-out an attacker could impose on someone else's account (AS-53).
 */
export type BackoffRule = { name: string; freeFailures: number; windowSeconds: number; maxDelaySeconds: number };

/** Parses `max/windowSeconds`, e.g. `20/3600`; throws a one-line message for config errors. */
export function parseRate(value: string): { max: number; windowSeconds: number } {
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(value);
  const max = Number(match?.[1]);
  const windowSeconds = Number(match?.[2]);
  if (!match || max < 1 || windowSeconds < 1) throw new TypeError(`"${value}" is not a rate: write max/windowSeconds, e.g. 20/3600`);
  return { max, windowSeconds };
}
