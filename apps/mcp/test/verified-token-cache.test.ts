import { describe, expect, it } from 'vitest';
import { VerifiedTokenCache } from '../src/auth/verified-token-cache.js';

describe('VerifiedTokenCache', () => {
  it('returns an entry until its expiry, then forgets it', () => {
    let now = 1_000;
    const cache = new VerifiedTokenCache<string>(10, () => now);
    cache.set('t', 'alice', 2_000);
    expect(cache.get('t')).toBe('alice');
    now = 1_999;
    expect(cache.get('t')).toBe('alice');
    now = 2_000;
    expect(cache.get('t')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('does not store what is already expired', () => {
    const cache = new VerifiedTokenCache<string>(10, () => 5_000);
    cache.set('t', 'alice', 5_000);
    expect(cache.size).toBe(0);
  });

  it('evicts the least recently used entry beyond its bound', () => {
    const cache = new VerifiedTokenCache<number>(3, () => 0);
    cache.set('a', 1, 10);
    cache.set('b', 2, 10);
    cache.set('c', 3, 10);
    expect(cache.get('a')).toBe(1); // a is now the most recently used
    cache.set('d', 4, 10);
    expect(cache.size).toBe(3);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBe(1);
    expect(cache.get('c')).toBe(3);
    expect(cache.get('d')).toBe(4);
  });

  it('stays bounded under a flood of distinct tokens', () => {
    const cache = new VerifiedTokenCache<number>(100, () => 0);
    for (let i = 0; i < 10_000; i += 1) cache.set(`t${i}`, i, 10);
    expect(cache.size).toBe(100);
    expect(cache.get('t9999')).toBe(9999);
    expect(cache.get('t0')).toBeUndefined();
  });

  it('caches nothing with a bound of zero', () => {
    const cache = new VerifiedTokenCache<number>(0, () => 0);
    cache.set('a', 1, 10);
    expect(cache.get('a')).toBeUndefined();
  });
});
