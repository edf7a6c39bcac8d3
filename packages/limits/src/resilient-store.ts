import type { CounterStore } from './counter-store.js';

/**
 * REL-8: when the shared store fails, limits degrade to this process's own counters (the fallback)
 * instead of vanishing: never unlimited attempts. Every failure is reported (logged at error level
 * by the app, which is the alert); the next call tries the shared store again.
 */
export function createResilientStore(primary: CounterStore, fallback: CounterStore, onStoreError: (error: unknown) => void): CounterStore {
  const guarded = <A extends unknown[], R>(run: (store: CounterStore, ...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      try {
        return await run(primary, ...args);
      } catch (error) {
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
