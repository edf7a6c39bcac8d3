import { describe, expect, it } from 'vitest';
import { DEV_KEY_ENCRYPTION_SECRET, deriveKey, deriveKeys, open, openSealed, openSecret, previousSecretsProblems, seal, SealedSecretError, sealSecret, secretId } from '../src/index.js';

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
    const [version, id, iv, body] = sealed.split('.') as [string, string, string, string];
    const bytes = Buffer.from(body, 'base64url');
    bytes[0] = (bytes[0] ?? 0) ^ 1;
    expect(() => openSecret(`${version}.${id}.${iv}.${bytes.toString('base64url')}`, SECRET, 'ssh-private-key', 'row-1')).toThrow(SealedSecretError);
  });

  it.each(['', 'no-dot', 'a.b.c', 'AAAA.AAAA', '.', `${'A'.repeat(16)}.`, 'v1.', 'v1.id.iv', 'v1.a.b.c.d'])('refuses the malformed value %j', (sealed) => {
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

  it('writes the versioned format: v1, the id of the secret that sealed it, iv, ciphertext', () => {
    const sealed = sealSecret('private', SECRET, 'ssh-private-key', 'row-1');
    const [version, id, ...rest] = sealed.split('.');
    expect(version).toBe('v1');
    expect(id).toBe(secretId(SECRET));
    expect(rest).toHaveLength(2);
    expect(sealed).not.toContain(SECRET);
  });

  it('refuses a value relabelled to another version or secret id (the header is authenticated)', () => {
    const other = `${SECRET}-other`;
    const sealed = sealSecret('private', SECRET, 'ssh-private-key', 'row-1');
    const relabelled = sealed.replace(secretId(SECRET), secretId(other));
    expect(() => openSecret(relabelled, { current: other, previous: [SECRET] }, 'ssh-private-key', 'row-1')).toThrow(SealedSecretError);
    // Stripped of its header it is an unversioned value whose AAD no longer matches.
    const stripped = sealed.split('.').slice(2).join('.');
    expect(() => openSecret(stripped, SECRET, 'ssh-private-key', 'row-1')).toThrow(SealedSecretError);
  });

  describe('a ring of secrets (KEY_ENCRYPTION_SECRET and KEY_ENCRYPTION_SECRET_PREVIOUS)', () => {
    const OLD = 'the-old-key-encryption-secret-0123456789';
    const NEW = 'the-new-key-encryption-secret-0123456789';

    it('opens values sealed under a previous secret, versioned or not, and says they need re-sealing', () => {
      const versioned = sealSecret('v', OLD, 'p', 'row');
      const legacy = seal(deriveKey(OLD, 'p'), 'u', 'row');
      const ring = { current: NEW, previous: ['another-unrelated-secret-0123456789', OLD] };
      expect(openSealed(versioned, ring, 'p', 'row')).toEqual({ plaintext: 'v', upToDate: false });
      expect(openSealed(legacy, ring, 'p', 'row')).toEqual({ plaintext: 'u', upToDate: false });
      expect(openSealed(sealSecret('c', ring, 'p', 'row'), ring, 'p', 'row')).toEqual({ plaintext: 'c', upToDate: true });
      // An unversioned value under the current secret still wants re-sealing (into the versioned format).
      expect(openSealed(seal(deriveKey(NEW, 'p'), 'x', 'row'), ring, 'p', 'row').upToDate).toBe(false);
    });

    it('refuses a value none of the ring opens, naming the settings and never a secret', () => {
      const versioned = sealSecret('v', OLD, 'p', 'row');
      const legacy = seal(deriveKey(OLD, 'p'), 'u', 'row');
      const ring = { current: NEW, previous: ['a-wrong-previous-secret-0123456789abc'] };
      for (const sealed of [versioned, legacy]) {
        let message = '';
        try {
          openSealed(sealed, ring, 'p', 'row');
        } catch (error) {
          expect(error).toBeInstanceOf(SealedSecretError);
          message = (error as Error).message;
        }
        expect(message).toMatch(/KEY_ENCRYPTION_SECRET_PREVIOUS/);
        for (const secret of [OLD, NEW, ...ring.previous]) expect(message).not.toContain(secret);
      }
    });

    it('derives verification keys current first, then each previous secret', () => {
      expect(deriveKeys({ current: NEW, previous: [OLD] }, 'csrf')).toEqual([deriveKey(NEW, 'csrf'), deriveKey(OLD, 'csrf')]);
      expect(deriveKeys(NEW, 'csrf')).toEqual([deriveKey(NEW, 'csrf')]);
    });

    it.each([
      [[OLD], NEW, []],
      [['short'], NEW, ['entry 1 is shorter than 32 characters']],
      [[NEW], NEW, ['entry 1 is KEY_ENCRYPTION_SECRET itself (list only the secrets it replaced)']],
      [[OLD, OLD], NEW, ['entry 2 repeats an earlier entry']],
      [[OLD], undefined, ['is set but KEY_ENCRYPTION_SECRET is not']],
    ])('checks KEY_ENCRYPTION_SECRET_PREVIOUS %j (never quoting a secret)', (previous, current, problems) => {
      expect(previousSecretsProblems(previous, current)).toEqual(problems);
    });
  });
});
