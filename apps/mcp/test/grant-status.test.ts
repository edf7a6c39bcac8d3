import { describe, expect, it } from 'vitest';
import { createGrantStatus, type GrantLookup } from '../src/auth/grant-status.js';

/** A lookup over an in-memory set of live grants that records every batch it was asked. */
function fakeStore(live: string[]) {
  const grants = new Set(live);
  const batches: string[][] = [];
  let failing: Error | undefined;
  let stall: Promise<void> | undefined;
  const lookup: GrantLookup = async (ids) => {
    batches.push([...ids]);
    if (stall) await stall;
    if (failing) throw failing;
    return new Set(ids.filter((id) => grants.has(id)));
  };
  return {
    lookup,
    batches,
    revoke: (id: string) => grants.delete(id),
    fail: (error: Error | undefined) => {
      failing = error;
    },
    stallUntil: (promise: Promise<void> | undefined) => {
      stall = promise;
    },
  };
}

function clock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('grant status cache (immediate revocation, docs/security.md B.1)', () => {
  it('answers a fresh status synchronously, without a lookup', async () => {
    const store = fakeStore(['g1']);
    const time = clock();
    const grants = createGrantStatus({ lookup: store.lookup, ttlMs: 2_000, now: time.now });
    await expect(grants.isLive('g1')).resolves.toBe(true);
    expect(grants.isLive('g1')).toBe(true);
    expect(store.batches).toEqual([['g1']]);
  });

  it('sees a revocation once the cached status is older than the bound, never before a fresh read', async () => {
    const store = fakeStore(['g1']);
    const time = clock();
    const grants = createGrantStatus({ lookup: store.lookup, ttlMs: 2_000, now: time.now });
    await grants.isLive('g1');
    store.revoke('g1');
    time.advance(1_999);
    expect(grants.isLive('g1')).toBe(true);
    time.advance(1);
    await expect(grants.isLive('g1')).resolves.toBe(false);
    expect(grants.isLive('g1')).toBe(false);
  });

  it('with ttlMs 0 reads on every call', async () => {
    const store = fakeStore(['g1']);
    const grants = createGrantStatus({ lookup: store.lookup, ttlMs: 0, now: clock().now });
    await grants.isLive('g1');
    store.revoke('g1');
    await expect(grants.isLive('g1')).resolves.toBe(false);
  });

  it('coalesces lookups of one tick into one query and shares one lookup per grant', async () => {
    const store = fakeStore(['a', 'b']);
    const grants = createGrantStatus({ lookup: store.lookup, ttlMs: 2_000, now: clock().now });
    const answers = await Promise.all(['a', 'b', 'c', 'a', 'b', 'a'].map((id) => grants.isLive(id)));
    expect(answers).toEqual([true, true, false, true, true, true]);
    expect(store.batches).toEqual([['a', 'b', 'c']]);
  });

  it('splits a large burst into bounded batches', async () => {
    const ids = Array.from({ length: 25 }, (_, i) => `g${i}`);
    const store = fakeStore(ids);
    const grants = createGrantStatus({ lookup: store.lookup, ttlMs: 2_000, now: clock().now, maxBatch: 10 });
    expect(await Promise.all(ids.map((id) => grants.isLive(id)))).toEqual(ids.map(() => true));
    expect(store.batches.map((batch) => batch.length)).toEqual([10, 10, 5]);
  });

  it('uses the last known status when the database fails, then retries after the cool-down', async () => {
    const store = fakeStore(['live']);
    const time = clock();
    const errors: unknown[] = [];
    const grants = createGrantStatus({
      lookup: store.lookup, ttlMs: 1_000, retryAfterErrorMs: 5_000, now: time.now, onLookupError: (e) => errors.push(e),
    });
    await grants.isLive('live');
    await grants.isLive('gone');
    time.advance(1_000);
    store.fail(new Error('connection refused'));
    await expect(grants.isLive('live')).resolves.toBe(true);
    expect(errors).toHaveLength(1);
    // Within the cool-down: answered at once from what is known; unseen grants pass on the signature.
    expect(grants.isLive('live')).toBe(true);
    expect(grants.isLive('gone')).toBe(false);
    expect(grants.isLive('never-seen')).toBe(true);
    expect(store.batches).toHaveLength(3);
    // The database is back: the next call after the cool-down reads again.
    store.fail(undefined);
    store.revoke('live');
    time.advance(5_000);
    await expect(grants.isLive('live')).resolves.toBe(false);
  });

  it('gives up on a lookup that hangs after lookupTimeoutMs', async () => {
    const store = fakeStore(['g1']);
    let release!: () => void;
    store.stallUntil(new Promise<void>((resolve) => (release = resolve)));
    const grants = createGrantStatus({ lookup: store.lookup, ttlMs: 1_000, lookupTimeoutMs: 50, now: clock().now });
    const started = performance.now();
    await expect(grants.isLive('g1')).resolves.toBe(true);
    expect(performance.now() - started).toBeLessThan(1_000);
    release();
  });

  it('stays bounded under a flood of distinct grants', async () => {
    const store = fakeStore([]);
    const grants = createGrantStatus({ lookup: store.lookup, ttlMs: 1_000, now: clock().now, maxEntries: 100 });
    await Promise.all(Array.from({ length: 1_000 }, (_, i) => grants.isLive(`g${i}`)));
    expect(grants.size).toBe(100);
  });

  it('refuses a negative ttl at construction', () => {
    expect(() => createGrantStatus({ lookup: fakeStore([]).lookup, ttlMs: -1 })).toThrow(TypeError);
  });
});
