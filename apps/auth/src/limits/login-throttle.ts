import type { RateLimiter } from '@omnichat/limits';

import type { AuthLimits } from './auth-limits.js';

/**
 * What the sign-in forms (password, second factor, password change) need from the abuse limiter
 * (AS-53): a wait before the secret is even checked, and the outcome afterwards.
 */
export type LoginThrottle = {
  /** Seconds to wait before this sign-in may be tried, or 0. Checked before the password. */
  waitSeconds(email: string, ip: string): Promise<number>;
  failed(email: string, ip: string): Promise<void>;
  succeeded(email: string): Promise<void>;
};

/**
 * Sign-in backoff per account and per IP (AS-53), shared by replicas through the limit store.
 * The account key is the normalised email whether or not the account exists, so the throttle
 * itself reveals nothing (AS-54).
 */
export function createLoginThrottle(limiter: RateLimiter, limits: AuthLimits): LoginThrottle {
  return {
    async waitSeconds(email, ip) {
      const verdicts = await Promise.all([limiter.check(limits.loginAccount, email), limiter.check(limits.loginIp, ip)]);
      return Math.max(0, ...verdicts.map((verdict) => (verdict.allowed ? 0 : verdict.retryAfterSeconds)));
    },
    async failed(email, ip) {
      await Promise.all([limiter.fail(limits.loginAccount, email), limiter.fail(limits.loginIp, ip)]);
    },
    async succeeded(email) {
      await limiter.succeed(limits.loginAccount, email);
    },
  };
}

/** What a form says while the throttle holds. */
export function throttledMessage(waitSeconds: number): string {
  return `Too many sign-in attempts. Try again in ${waitSeconds} ${waitSeconds === 1 ? 'second' : 'seconds'}.`;
}
