import { describe, expect, it } from 'vitest';

import { redactSecrets, secretValues } from '../src/index.js';

describe('secrets kept out of crash reports', () => {
  const env = {
    KEY_ENCRYPTION_SECRET: 'current-secret-0123456789abcdef0123',
    KEY_ENCRYPTION_SECRET_PREVIOUS: 'older-secret-0123456789abcdef01234, oldest-secret-0123456789abcdef0123',
    ADMIN_PASSWORD: 'a long passphrase',
    DATABASE_URL: 'postgres://app:p%40ss-w0rd@db.internal:5432/omnichat',
    REDIS_URL: 'redis://:redis-pass-123@cache:6379',
    ISSUER: 'https://auth.example.com',
    LOG_LEVEL: 'info',
  };

  it('finds every value named like a secret, each entry of a comma list, and URL passwords', () => {
    const found = secretValues(env, ['postgres://postgres:embedded-generated-pw@127.0.0.1:5433/omnichat']);
    for (const secret of ['current-secret-0123456789abcdef0123', 'older-secret-0123456789abcdef01234', 'oldest-secret-0123456789abcdef0123', 'a long passphrase', 'p@ss-w0rd', 'p%40ss-w0rd', 'redis-pass-123', 'embedded-generated-pw']) {
      expect(found).toContain(secret);
    }
    expect(found).not.toContain('https://auth.example.com');
    expect(found).not.toContain('info');
  });

  it('replaces each occurrence, the longest first', () => {
    const secrets = secretValues(env);
    const text = `connect failed for postgres://app:p%40ss-w0rd@db (p@ss-w0rd) with ${env.KEY_ENCRYPTION_SECRET}`;
    expect(redactSecrets(text, secrets)).toBe('connect failed for postgres://app:[redacted]@db ([redacted]) with [redacted]');
  });
});
