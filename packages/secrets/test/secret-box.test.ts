import { describe, expect, it } from 'vitest';
import { DEV_KEY_ENCRYPTION_SECRET, deriveKey, open, openSecret, SealedSecretError, sealSecret } from '../src/index.js';

const SECRET = 'a-test-key-encryption-secret-of-enough-length';

describe('sealed secrets', () => {
  it('opens what it sealed, with a fresh IV each time', () => {
    const a = sealSecret('-----BEGIN OPENSSH PRIVATE KEY-----\n…', SECRET, 'ssh-private-key', 'row-1');
    const b = sealSecret('-----BEGIN OPENSSH PRIVATE KEY-----\n…', SECRET, 'ssh-private-key', 'row-1');
    expect(a).not.toBe(b);
    expect(a).not.toContain('OPENSSH');
    expect(openSecret(a, SECRET, 'ssh-private-key', 'row-1')).toBe('-----BEGIN OPENSSH PRIVATE KEY-----\n…');
  });

  it.each([
    ['another row (aad)', SECRET, 'ssh-private-key', 'row-2'],
    ['another purpose (HKDF info)', SECRET, 'signing-key-encryption', 'row-1'],
    ['another secret', `${SECRET}-other`, 'ssh-private-key', 'row-1'],
  ])('refuses to open under %s', (_label, secret, purpose, aad) => {
    const sealed = sealSecret('private', SECRET, 'ssh-private-key', 'row-1');
    expect(() => openSecret(sealed, secret, purpose, aad)).toThrow(SealedSecretError);
  });

  it('refuses a tampered ciphertext', () => {
    const sealed = sealSecret('private', SECRET, 'ssh-private-key', 'row-1');
    const [iv, body] = sealed.split('.') as [string, string];
    const bytes = Buffer.from(body, 'base64url');
    bytes[0] = (bytes[0] ?? 0) ^ 1;
    expect(() => openSecret(`${iv}.${bytes.toString('base64url')}`, SECRET, 'ssh-private-key', 'row-1')).toThrow(SealedSecretError);
  });

  it.each(['', 'no-dot', 'a.b.c', 'AAAA.AAAA', '.', `${'A'.repeat(16)}.`])('refuses the malformed value %j', (sealed) => {
    expect(() => openSecret(sealed, SECRET, 'ssh-private-key', 'row-1')).toThrow(SealedSecretError);
  });

  // Signing keys sealed before this package existed must still open: same HKDF salt, info and format.
  it('derives the same sub-key and opens a value sealed by the original auth-app code', () => {
    expect(deriveKey(DEV_KEY_ENCRYPTION_SECRET, 'signing-key-encryption').toString('hex')).toBe(
      'da3f383ec554a350f5d0844c45826ba1000732a03e0a481bb32bce6cdb4f88d6',
    );
    const key = deriveKey(DEV_KEY_ENCRYPTION_SECRET, 'signing-key-encryption');
    expect(open(key, 'tFykDRedt7EhAj1u.fDIWnJNpqR0bwYb3QQCBHmvq5y57_ykWkYcQUnE', 'kid-1')).toBe('{"kty":"RSA"}');
  });
});
