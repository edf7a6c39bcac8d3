import { createTestDatabase } from '@omnichat/db/testing';
import { describe, expect, it } from 'vitest';

import { ensureSigningKey, loadSigningKeys } from '../src/index.js';

const SECRET = 'signing-keys-test-key-encryption-secret-0123';

describe('signing keys in Postgres', () => {
  it('creates exactly one current and one next key when replicas start at once, stored encrypted', async () => {
    const fresh = await createTestDatabase();
    try {
      await Promise.all(Array.from({ length: 4 }, () => ensureSigningKey(fresh.prisma, SECRET)));
      const rows = await fresh.prisma.signingKey.findMany({ orderBy: { state: 'asc' } });
      expect(rows.map((row) => row.state)).toEqual(['current', 'next']);
      for (const row of rows) {
        expect(row.alg).toBe('RS256');
        expect(row.privateJwkEncrypted).not.toContain('"d"');
        expect(row.publicJwk).not.toHaveProperty('d');
      }
      const { keys } = await loadSigningKeys(fresh.prisma, SECRET);
      expect(keys[0]).toHaveProperty('d');
      // oidc-provider signs with the first key that fits: the current one.
      expect(keys[0]?.kid).toBe(rows[0]?.kid);
      await expect(loadSigningKeys(fresh.prisma, 'a-different-secret-that-is-long-enough-0000')).rejects.toThrow(
        new RegExp(`^signing key ${rows[0]?.kid} does not open with this KEY_ENCRYPTION_SECRET`),
      );
    } finally {
      await fresh.drop();
    }
  });
});
