import { DEV_KEY_ENCRYPTION_SECRET } from '@omnichat/secrets';
import { z } from 'zod';
import { describe, expect, it } from 'vitest';

import { ADMIN_ENV_VARS, checkServerEnv, loadAdminConfig, parseEnv, SERVER_ENV, serverSettings } from '../src/index.js';

// The shared part as each server's config.ts builds it: spread into its own object, checked first.
const ServerSchema = z.object(SERVER_ENV).superRefine(checkServerEnv);
const loadServer = (env: Record<string, string | undefined>) => serverSettings(parseEnv(ServerSchema, env, 'test'));

// Each rule where the auth app and the MCP app disagreed before they shared this schema: both
// servers and the admin CLI now refuse alike.
describe('the rules both apps once disagreed on', () => {
  it.each(['http://localhost:3000/mcp/', 'https://mcp.example.com/'])('refuses a RESOURCE_URL with a trailing slash: %s', (value) => {
    expect(() => loadServer({ RESOURCE_URL: value })).toThrow(/^RESOURCE_URL: RESOURCE_URL must be canonical: no query, fragment or trailing slash/m);
  });

  it.each(['http://localhost:4000?tenant=a', 'http://localhost:4000#x', 'https://auth.example.com/realm?x=1'])('refuses an ISSUER with a query or fragment: %s', (value) => {
    expect(() => loadServer({ ISSUER: value })).toThrow(/^ISSUER: ISSUER must not carry a query or fragment/m);
    expect(() => loadAdminConfig({ ISSUER: value })).toThrow(/^ISSUER: ISSUER must not carry a query or fragment/m);
  });

  it('refuses a KEY_ENCRYPTION_SECRET shorter than 32 characters, and takes one of 32', () => {
    const line = /^KEY_ENCRYPTION_SECRET: KEY_ENCRYPTION_SECRET must be at least 32 characters/m;
    expect(() => loadServer({ KEY_ENCRYPTION_SECRET: 'x'.repeat(31) })).toThrow(line);
    expect(() => loadAdminConfig({ KEY_ENCRYPTION_SECRET: 'x'.repeat(31) })).toThrow(line);
    expect(loadServer({ KEY_ENCRYPTION_SECRET: 'x'.repeat(32) }).keyEncryptionSecret).toBe('x'.repeat(32));
  });

  it('accepts the canonical forms', () => {
    expect(loadServer({ ISSUER: 'https://auth.example.com/realm', RESOURCE_URL: 'https://mcp.example.com/mcp' })).toMatchObject({
      issuer: 'https://auth.example.com/realm',
      resourceUrl: 'https://mcp.example.com/mcp',
    });
  });
});

describe('what the servers share', () => {
  it('derives the key ring and the shutdown bounds once, with the documented defaults', () => {
    expect(loadServer({})).toEqual({
      production: false,
      issuer: 'http://localhost:4000',
      resourceUrl: 'http://localhost:3000/mcp',
      corsOrigins: ['https://chatgpt.com', 'https://platform.openai.com'],
      logLevel: 'info',
      shutdown: { drainDelayMs: 5000, timeoutMs: 30_000 },
      keyEncryptionSecret: DEV_KEY_ENCRYPTION_SECRET,
      keyRing: { current: DEV_KEY_ENCRYPTION_SECRET, previous: [] },
      usingDevKeySecret: true,
    });
  });

  it('refuses production without a secret and with http public URLs off loopback, one line each', () => {
    let message = '';
    try {
      loadServer({ NODE_ENV: 'production', ISSUER: 'http://auth.example.com' });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message.split('\n')).toEqual([
      'invalid test configuration:',
      'KEY_ENCRYPTION_SECRET: required when NODE_ENV=production',
      expect.stringMatching(/^ISSUER: must be https when NODE_ENV=production/),
    ]);
  });
});

describe('the admin CLI part', () => {
  it('reads the secret, the issuer, the key timings and the IdP timeout, and nothing of the servers', () => {
    const secret = 's'.repeat(40);
    const config = loadAdminConfig({ KEY_ENCRYPTION_SECRET: secret, KEY_ENCRYPTION_SECRET_PREVIOUS: 'p'.repeat(40), KEY_SET_POLL_SECONDS: '7', AUTH_PORT: 'not a port' });
    expect(config).toMatchObject({ issuer: 'http://localhost:4000', keyRing: { current: secret, previous: ['p'.repeat(40)] }, usingDevKeySecret: false, ssoTimeoutSeconds: 10 });
    expect(config.keys).toEqual({ accessTokenTtlSeconds: 600, keySetPollSeconds: 7, keyPublishLeadSeconds: 900, keyRotationDays: 90 });
    expect(ADMIN_ENV_VARS).not.toContain('AUTH_PORT');
    expect(() => loadAdminConfig({ NODE_ENV: 'production' })).toThrow(/^invalid admin configuration:\nKEY_ENCRYPTION_SECRET: required when NODE_ENV=production$/);
  });
});
