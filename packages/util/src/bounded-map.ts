/**
 * A Map that holds at most `maxEntries`: `set` puts the key last (newest) and, past the bound, drops
 * the oldest one set. For caches keyed by what a caller sends (token ids, grant ids, rate-limit keys),
 * so a flood of distinct keys cannot grow memory.
 */
export class BoundedMap<K, V> extends Map<K, V> {
  readonly maxEntries: number;

  constructor(maxEntries: number) {
    super();
    if (!Number.isInteger(maxEntries) || maxEntries < 1) throw new TypeError('maxEntries must be a positive integer');
    this.maxEntries = maxEntries;
  }

  override set(key: K, value: V): this {
    super.delete(key);
    super.set(key, value);
    if (this.size > this.maxEntries) this.delete(this.keys().next().value as K);
    return this;
  }
}
