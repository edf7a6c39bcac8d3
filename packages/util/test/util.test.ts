import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { BoundedMap, withTimeout } from '../src/index.js';

describe('BoundedMap', () => {
  it('drops the oldest key set once past its bound', () => {
    const map = new BoundedMap<string, number>(2);
    map.set('a', 1).set('b', 2).set('c', 3);
    expect([...map.keys()]).toEqual(['b', 'c']);
  });

  it('setting a key again makes it the newest', () => {
    const map = new BoundedMap<string, number>(2);
    map.set('a', 1).set('b', 2).set('a', 10).set('c', 3);
    expect([...map.entries()]).toEqual([['a', 10], ['c', 3]]);
  });

  it('stays bounded under a flood of distinct keys', () => {
    const map = new BoundedMap<number, number>(100);
    for (let i = 0; i < 10_000; i += 1) map.set(i, i);
    expect(map.size).toBe(100);
    expect(map.has(9_999)).toBe(true);
    expect(map.has(9_899)).toBe(false);
  });

  it.each([0, -1, 1.5, Number.NaN])('refuses a bound of %s', (bound) => {
    expect(() => new BoundedMap(bound)).toThrow(TypeError);
  });
});

describe('withTimeout', () => {
  it('passes on an answer that comes in time', async () => {
    await expect(withTimeout(Promise.resolve(7), 1_000, 'slow')).resolves.toBe(7);
  });

  it('passes on a failure that comes in time', async () => {
    await expect(withTimeout(Promise.reject(new Error('refused')), 1_000, 'slow')).rejects.toThrow('refused');
  });

  it('rejects with the message once the time is up, and ignores the late failure', async () => {
    const late = sleep(100).then(() => {
      throw new Error('late');
    });
    const started = Date.now();
    await expect(withTimeout(late, 20, 'store did not answer')).rejects.toThrow('store did not answer');
    expect(Date.now() - started).toBeLessThan(90);
    await sleep(120);
  });
});
