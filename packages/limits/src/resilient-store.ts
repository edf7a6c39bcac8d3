import { withTimeout } from '@omnichat/util';
import type { CounterStore } from './counter-store.js';

export type ResilienceOptions = {
  /**
   * A shared-store call slower than this counts as a failure: a counter must not hold a request
   * for a database's full statement timeout (REL-2).
   */
  timeoutMs?: number;
  /** After a failure, the fallback alone answers for this long: one slow probe per period, not one per request. */
  coolDownMs?: number;
  now?: () => number;
};

const DEFAULT_TIMEOUT_MS = 1_000;
const DEFAULT_COOL_DOWN_MS = 5_000;

/**
 * REL-8: when the shared store fails, limits degrade to this process's own counters (the fallback)
 * instead of vanishing: never unlimited attempts. Every failure is reported (logged at error level
 * by the app, which is the alert); the shared store is tried again after the cool-down.
 */
export function createResilientStore(primary: CounterStore, fallback: CounterStore, onStoreError: (error: unknown) => void, options: ResilienceOptions = {}): CounterStore {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const coolDownMs = options.coolDownMs ?? DEFAULT_COOL_DOWN_MS;
  const now = options.now ?? Date.now;
  let skipPrimaryUntil = 0;

  // A late answer (or failure) of the abandoned call is ignored.
  const withinTimeout = <R>(work: Promise<R>): Promise<R> =>
    withTimeout(work, timeoutMs, `rate-limit store did not answer within ${timeoutMs} ms`);

  const guarded = <A extends unknown[], R>(run: (store: CounterStore, ...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      if (now() < skipPrimaryUntil) return run(fallback, ...args);
      try {
        return await withinTimeout(run(primary, ...args));
      } catch (error) {
        skipPrimaryUntil = now() + coolDownMs;
        onStoreError(error);
        return run(fallback, ...args);
      }
    };
  return {
    hit: guarded((store, key: string, windowMs: number) => store.hit(key, windowMs)),
    hold: guarded((store, key: string, ms: number) => store.hold(key, ms)),
    peek: guarded((store, key: string) => store.peek(key)),
    reset: guarded((store, key: string) => store.reset(key)),
  };
}
