/** A fixed window of hits for one key. */
export type CounterWindow = { count: number; resetAt: Date };

/**
 * Where abuse counters live. Every operation is atomic in the store itself, so replicas sharing one
 * store share one count (REL-3). Keys arrive already hashed (see rate-limiter.ts).
 */
export interface CounterStore {
  /** Adds one hit to the key's live window, opening a new `windowMs` window when none is live. */
  hit(key: string, windowMs: number): Promise<CounterWindow>;
  /** Keeps the key live for at least `ms` from now (a backoff hold); never shortens a longer one. */
  hold(key: string, ms: number): Promise<void>;
  /** The key's live window, if any. */
  peek(key: string): Promise<CounterWindow | undefined>;
  reset(key: string): Promise<void>;
}

export type Clock = () => number;
