import { describe, expect, it } from 'vitest';
import { parseDuration } from '../src/index.js';

describe('parseDuration', () => {
  it('reads whole seconds, minutes, hours and days', () => {
    expect(parseDuration('45s')).toBe(45_000);
    expect(parseDuration('30m')).toBe(1_800_000);
    expect(parseDuration('2h')).toBe(7_200_000);
    expect(parseDuration('7d')).toBe(604_800_000);
  });

  it('refuses anything else, and a unit the caller does not take', () => {
    for (const bad of ['', '0m', '030m', '30', 'm', '1.5h', '-2h', '2w', '2 h', '30M', '1234567d']) expect(parseDuration(bad), bad).toBeUndefined();
    expect(parseDuration('45s', ['m', 'h', 'd'])).toBeUndefined();
    expect(parseDuration('45m', ['m', 'h', 'd'])).toBe(2_700_000);
  });
});
