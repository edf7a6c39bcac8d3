import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isUuid } from '../src/uuid.js';

describe('isUuid', () => {
  it('accepts a UUID in lower and upper case', () => {
    const id = randomUUID();
    expect(isUuid(id)).toBe(true);
    expect(isUuid(id.toUpperCase())).toBe(true);
  });

  it.each([
    ['empty', ''],
    ['no dashes', '0123456789abcdef0123456789abcdef'],
    ['one digit short', '01234567-89ab-cdef-0123-456789abcde'],
    ['a non-hex digit', '01234567-89ab-cdef-0123-456789abcdeg'],
    ['surrounding space', ' 01234567-89ab-cdef-0123-456789abcdef'],
    ['a trailing newline', '01234567-89ab-cdef-0123-456789abcdef\n'],
    ['braces', '{01234567-89ab-cdef-0123-456789abcdef}'],
  ])('refuses %s', (_, value) => {
    expect(isUuid(value)).toBe(false);
  });
});
