import { createHash } from 'node:crypto';

import type { Clock, CounterStore } from './counter-store.js';
import type { BackoffRule, LimitRule } from './limit-rule.js';

export type LimitVerdict = { allowed: true } | { allowed: false; retryAfterSeconds: number };

export type RateLimiter = {
  /** Counts one event for the subject; refuses it once the window holds more than `max`. */
  consume(rule: LimitRule, subject: string): Promise<LimitVerdict>;
  /** Whether a backoff hold is in force for the subject (checked before verifying a password). */
  check(rule: BackoffRule, subject: string): Promise<LimitVerdict>;
  /** Records a failure; past the free ones, starts or doubles the hold. */
  fail(rule: BackoffRule, subject: string): Promise<void>;
  /** A success clears the subject's failures and hold. */
  succeed(rule: BackoffRule, subject: string): Promise<void>;
};

/** Subjects (emails, IPs) are hashed before they reach the store: counters hold no personal data. */
const keyFor = (name: string, subject: string, suffix = '') =>
  `${name}${suffix}:${createHash('sha256').update(subject).digest('hex').slice(0, 32)}`;

const secondsUntil = (resetAt: Date, now: number) => Math.max(1, Math.ceil((resetAt.getTime() - now) / 1000));

export function createRateLimiter(store: CounterStore, now: Clock = Date.now): RateLimiter {
  return {
    async consume(rule, subject) {
      const window = await store.hit(keyFor(rule.name, subject), rule.windowSeconds * 1000);
      if (window.count <= rule.max) return { allowed: true };
      return { allowed: false, retryAfterSeconds: secondsUntil(window.resetAt, now()) };
    },
    async check(rule, subject) {
      const hold = await store.peek(keyFor(rule.name, subject, ':hold'));
      return hold ? { allowed: false, retryAfterSeconds: secondsUntil(hold.resetAt, now()) } : { allowed: true };
    },
    async fail(rule, subject) {
      const failures = await store.hit(keyFor(rule.name, subject), rule.windowSeconds * 1000);
      const over = failures.count - rule.freeFailures;
      if (over < 0) return;
      const delaySeconds = Math.min(2 ** Math.min(over, 30), rule.maxDelaySeconds);
      await store.hold(keyFor(rule.name, subject, ':hold'), delaySeconds * 1000);
    },
    async succeed(rule, subject) {
      await Promise.all([store.reset(keyFor(rule.name, subject)), store.reset(keyFor(rule.name, subject, ':hold'))]);
    },
  };
}
