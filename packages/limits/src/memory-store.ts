import { BoundedMap } from '@omnichat/util';
import type { Clock, CounterStore, CounterWindow } from './counter-store.js';

/** Entries kept at most; the oldest go first, so an attacker spraying keys cannot grow memory. */
const MAX_ENTRIES = 50_000;

/**
 * Per-process counters: the fallback when the shared store fails (REL-8) and the store for unit
 * tests. Not shared across replicas, so never the configured default.
 */
export function createMemoryStore(now: Clock = Date.now): CounterStore {
  const windows = new BoundedMap<string, { count: number; resetAt: number }>(MAX_ENTRIES);

  const live = (key: string) => {
    const entry = windows.get(key);
    if (entry && entry.resetAt <= now()) {
      windows.delete(key);
      return undefined;
    }
    return entry;
  };
  const put = (key: string, entry: { count: number; resetAt: number }) => {
    windows.set(key, entry);
  };
  const view = (entry: { count: number; resetAt: number }): CounterWindow => ({ count: entry.count, resetAt: new Date(entry.resetAt) });

  return {
    async hit(key, windowMs) {
      const entry = live(key) ?? { count: 0, resetAt: now() + windowMs };
      entry.count += 1;
      put(key, entry);
      return view(entry);
    },
    async hold(key, ms) {
      const entry = live(key);
      put(key, { count: entry?.count ?? 1, resetAt: Math.max(entry?.resetAt ?? 0, now() + ms) });
    },
    async peek(key) {
      const entry = live(key);
      return entry ? view(entry) : undefined;
    },
    async reset(key) {
      windows.delete(key);
    },
  };
}
