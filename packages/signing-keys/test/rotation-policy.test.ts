import { describe, expect, it } from 'vitest';

import { nextKeyWaitSeconds, retiredKeyExpired, retiredKeyRetentionSeconds, rotationDue, type KeyTimings } from '../src/rotation-policy.js';

const timings: KeyTimings = { accessTokenTtlSeconds: 600, keySetPollSeconds: 30, keyPublishLeadSeconds: 900, keyRotationDays: 90 };
const at = (seconds: number) => new Date(Date.UTC(2026, 0, 1) + seconds * 1000);

describe('signing-key timings', () => {
  it.each([
    [{ accessTokenTtlSeconds: 600, keySetPollSeconds: 30 }, 3600 + 30 + 60],
    [{ accessTokenTtlSeconds: 3600, keySetPollSeconds: 30 }, 3600 + 30 + 60],
    [{ accessTokenTtlSeconds: 600, keySetPollSeconds: 0.2 }, 3600 + 1 + 60],
  ])('keeps a retired key for the longest token it signed + a poll + skew: %j → %i s', (partial, expected) => {
    expect(retiredKeyRetentionSeconds({ ...timings, ...partial })).toBe(expected);
  });

  it.each([
    [3689, false],
    [3690, true],
  ])('a key retired %i s ago may be deleted: %s', (ago, expected) => {
    expect(retiredKeyExpired(at(0), at(ago), timings)).toBe(expected);
  });

  it.each([
    [0, 900],
    [899.5, 1],
    [900, 0],
    [5000, 0],
  ])('a next key published %f s ago must wait %i s more', (ago, wait) => {
    expect(nextKeyWaitSeconds(at(0), at(ago), timings)).toBe(wait);
  });

  it.each([
    [{ keyRotationDays: 90 }, 89 * 86400, false],
    [{ keyRotationDays: 90 }, 90 * 86400, true],
    [{ keyRotationDays: 0 }, 9000 * 86400, false],
  ])('rotation with %j after %i s is due: %s', (partial, after, due) => {
    expect(rotationDue(at(0), at(after), { ...timings, ...partial })).toBe(due);
  });

  it('never rotates a key that was never activated', () => {
    expect(rotationDue(null, at(1e9), timings)).toBe(false);
  });
});
