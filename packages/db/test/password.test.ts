import { describe, expect, it } from 'vitest';
import { hashPassword, normaliseEmail, verifyPassword } from '../src/password.js';

describe('password hashing', () => {
  it('hashes with argon2id and verifies the same password', async () => {
    const hash = await hashPassword('correct horse battery staple');
    expect(hash).toMatch(/^\$argon2id\$v=19\$/);
    expect(hash).not.toContain('correct horse');
    await expect(verifyPassword(hash, 'correct horse battery staple')).resolves.toBe(true);
  });

  it('refuses a different password', async () => {
    const hash = await hashPassword('correct horse battery staple');
    await expect(verifyPassword(hash, 'Correct horse battery staple')).resolves.toBe(false);
  });

  it('salts every hash', async () => {
    const [a, b] = await Promise.all([hashPassword('same password here'), hashPassword('same password here')]);
    expect(a).not.toBe(b);
  });

  it('treats a malformed stored hash as a wrong password, not an error', async () => {
    await expect(verifyPassword('not-a-phc-string', 'anything')).resolves.toBe(false);
  });
});

describe('normaliseEmail', () => {
  it.each([
    ['Admin@Example.COM', 'admin@example.com'],
    ['  user@example.com\n', 'user@example.com'],
    ['already@lower.case', 'already@lower.case'],
  ])('normalises %j to %j', (input, expected) => {
    expect(normaliseEmail(input)).toBe(expected);
  });
});
