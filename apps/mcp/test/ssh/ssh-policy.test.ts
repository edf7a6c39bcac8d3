import { describe, expect, it } from 'vitest';
import { DEV_KEY_ENCRYPTION_SECRET } from '@omnichat/secrets';
import { loadMcpConfig } from '../../src/config.js';
import { CappedOutput } from '../../src/tools/ssh/capped-output.js';
import { ConcurrencyLimiter } from '../../src/tools/ssh/concurrency-limiter.js';

describe('output cap (RS-30)', () => {
  it('keeps up to the cap, counts everything, and marks the cut', () => {
    const output = new CappedOutput(5);
    expect(output.push(Buffer.from('abc'))).toBe(false);
    expect(output.push(Buffer.from('defgh'))).toBe(true);
    expect(output.push(Buffer.from('ijk'))).toBe(true);
    expect(output.received).toBe(11);
    expect(output.text()).toBe('abcde\n[output truncated at 5 bytes]');
  });

  it('an exact fit is not truncated', () => {
    const output = new CappedOutput(3);
    output.push(Buffer.from('abc'));
    expect(output.truncated).toBe(false);
    expect(output.text()).toBe('abc');
  });
});

describe('per-user concurrency (RS-31)', () => {
  it('gives out at most max slots per key and takes each back once', () => {
    const limiter = new ConcurrencyLimiter();
    const first = limiter.tryAcquire('alice', 2);
    const second = limiter.tryAcquire('alice', 2);
    expect(limiter.tryAcquire('alice', 2)).toBeNull();
    expect(limiter.tryAcquire('bob', 2)).not.toBeNull();
    first?.();
    first?.();
    expect(limiter.inUse('alice')).toBe(1);
    expect(limiter.tryAcquire('alice', 2)).not.toBeNull();
    second?.();
  });
});

describe('MCP config for SSH', () => {
  it('defaults: the shared development secret, 30 s run timeout, 64 KiB cap, 2 per user', () => {
    const config = loadMcpConfig({});
    expect(config.keyEncryptionSecret).toBe(DEV_KEY_ENCRYPTION_SECRET);
    expect(config.usingDevKeySecret).toBe(true);
    expect(config.ssh).toEqual({ connectTimeoutMs: 10_000, runTimeoutMs: 30_000, outputCapBytes: 65_536, maxConcurrentPerUser: 2 });
  });

  it.each([
    [{ NODE_ENV: 'production' }, /KEY_ENCRYPTION_SECRET: required when NODE_ENV=production/],
    [{ KEY_ENCRYPTION_SECRET: 'short' }, /KEY_ENCRYPTION_SECRET: KEY_ENCRYPTION_SECRET must be at least 32 characters/],
    [{ SSH_RUN_TIMEOUT_MS: '0' }, /SSH_RUN_TIMEOUT_MS/],
    [{ SSH_OUTPUT_CAP_BYTES: 'lots' }, /SSH_OUTPUT_CAP_BYTES/],
    [{ SSH_MAX_CONCURRENT_PER_USER: '0' }, /SSH_MAX_CONCURRENT_PER_USER/],
  ])('refuses %j at boot', (env, reason) => {
    expect(() => loadMcpConfig(env)).toThrow(reason);
  });
});
