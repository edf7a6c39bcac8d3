import type { RateLimiter } from '@omnichat/limits';

/**
 * The limiter with every refusal counted by rule name (`omnichat_rate_limited_total{limit}`): a
 * `consume` over its window, or a `check` that finds a sign-in backoff hold. The subject (IP,
 * email, client, host) never leaves the limiter.
 */
export function countRefusals(limiter: RateLimiter, refused: (limit: string) => void): RateLimiter {
  return {
    ...limiter,
    async consume(rule, subject) {
      const verdict = await limiter.consume(rule, subject);
      if (!verdict.allowed) refused(rule.name);
      return verdict;
    },
    async check(rule, subject) {
      const verdict = await limiter.check(rule, subject);
      if (!verdict.allowed) refused(rule.name);
      return verdict;
    },
  };
}
