/**
 * Caps how many commands one user runs at once on this replica (docs/security.md RS-31). In
 * memory: a replica that dies releases its slots with it, which a database counter would not.
 */
export class ConcurrencyLimiter {
  private readonly running = new Map<string, number>();

  /** A release function, or null when `key` already holds `max` slots. Release is idempotent. */
  tryAcquire(key: string, max: number): (() => void) | null {
    const current = this.running.get(key) ?? 0;
    if (current >= max) return null;
    this.running.set(key, current + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.running.get(key) ?? 1) - 1;
      if (left <= 0) this.running.delete(key);
      else this.running.set(key, left);
    };
  }

  /** Slots `key` holds now. */
  inUse(key: string): number {
    return this.running.get(key) ?? 0;
  }
}
