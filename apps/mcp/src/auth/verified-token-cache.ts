/**
 * A bounded LRU of tokens that already passed full verification, keyed by the token string.
 *
 * Signature checks dominate the hot path (RS256 verify ~57 µs, a hit here ~1 µs), and clients
 * repeat the same token for its whole lifetime. An entry lives until the token's own `exp` (never
 * longer), and the map never holds more than `maxEntries` (least recently used goes first), so
 * memory stays bounded under a flood of distinct tokens. Only successes are cached: a refused
 * token is re-examined every time.
 */
export class VerifiedTokenCache<T> {
  private readonly entries = new Map<string, { value: T; expiresAtMs: number }>();

  constructor(
    private readonly maxEntries: number,
    private readonly now: () => number = Date.now,
  ) {
    if (!Number.isInteger(maxEntries) || maxEntries < 0) throw new TypeError('maxEntries must be a non-negative integer');
  }

  get size(): number {
    return this.entries.size;
  }

  get(token: string): T | undefined {
    const entry = this.entries.get(token);
    if (entry === undefined) return undefined;
    this.entries.delete(token);
    if (entry.expiresAtMs <= this.now()) return undefined;
    // Re-insert: Map keeps insertion order, so the oldest key is always the least recently used.
    this.entries.set(token, entry);
    return entry.value;
  }

  set(token: string, value: T, expiresAtMs: number): void {
    if (this.maxEntries === 0 || expiresAtMs <= this.now()) return;
    this.entries.delete(token);
    this.entries.set(token, { value, expiresAtMs });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }

  clear(): void {
    this.entries.clear();
  }
}
