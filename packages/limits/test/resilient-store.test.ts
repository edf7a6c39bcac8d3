import { describe, expect, it } from 'vitest';

import type { CounterStore } from '../src/counter-store.js';
import { createMemoryStore } from '../src/memory-store.js';
import { createResilientStore } from '../src/resilient-store.js';

/** A shared store whose behaviour the test switches: working, failing, or never answering. */
function switchableStore(): { store: CounterStore; mode: 'up' | 'down' | 'hung'; calls: number } {
  const inner = createMemoryStore();
  const state = { mode: 'up' as 'up' | 'down' | 'hung', calls: 0, store: undefined as unknown as CounterStore };
  const gate = <R>(work: () => Promise<R>): Promise<R> => {
    state.calls += 1;
    if (state.mode === 'down') return Promise.reject(new Error('store down'));
    if (state.mode === 'hung') return new Promise<R>(() => {});
    return work();
  };
  state.store = {
    hit: (key, windowMs) => gate(() => inner.hit(key, windowMs)),
    hold: (key, ms) => gate(() => inner.hold(key, ms)),
    peek: (key) => gate(() => inner.peek(key)),
    reset: (key) => gate(() => inner.reset(key)),
  };
  return state;
}

describe('createResilientStore', () => {
  it('REL-8 a failing shared store degrades to the fallback, is reported, and is skipped for the cool-down', async () => {
    let clock = 0;
    const shared = switchableStore();
    const errors: unknown[] = [];
    const store = createResilientStore(shared.store, createMemoryStore(() => clock), (error) => errors.push(error), { coolDownMs: 5_000, now: () => clock });
    expect((await store.hit('k', 60_000)).count).toBe(1);
    shared.mode = 'down';
    expect((await store.hit('k', 60_000)).count).toBe(1);
    expect((await store.hit('k', 60_000)).count).toBe(2);
    expect(errors).toHaveLength(1);
    expect(shared.calls).toBe(2);
    // After the cool-down the shared store is tried again and, being back, counts again.
    shared.mode = 'up';
    clock += 5_000;
    expect((await store.hit('k', 60_000)).count).toBe(2);
    expect(shared.calls).toBe(3);
  });

  it('REL-2 a shared store that never answers costs one request at most timeoutMs, then none until the cool-down ends', async () => {
    const shared = switchableStore();
    shared.mode = 'hung';
    const errors: unknown[] = [];
    const store = createResilientStore(shared.store, createMemoryStore(), (error) => errors.push(error), { timeoutMs: 50, coolDownMs: 60_000 });
    const started = performance.now();
    expect((await store.hit('k', 60_000)).count).toBe(1);
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(String(errors[0])).toMatch(/did not answer within 50 ms/);
    const again = performance.now();
    await Promise.all(Array.from({ length: 20 }, () => store.hit('k', 60_000)));
    expect(performance.now() - again).toBeLessThan(40);
    expect(shared.calls).toBe(1);
    expect((await store.peek('k'))?.count).toBe(21);
  });
});
