// The MCP app's half of the production URL rule (the auth app's test boots both servers): an http
// ISSUER or RESOURCE_URL off loopback is refused under NODE_ENV=production; loopback http stays allowed.
import { describe, expect, it } from 'vitest';
import { loadMcpConfig } from '../src/config.js';

const production = { NODE_ENV: 'production', KEY_ENCRYPTION_SECRET: 'x'.repeat(40) };

describe('public URLs under NODE_ENV=production (MCP app)', () => {
  it.each([
    ['ISSUER', { ISSUER: 'http://auth.example.com' }],
    ['ISSUER', { ISSUER: 'http://10.0.0.5:4000' }],
    ['RESOURCE_URL', { RESOURCE_URL: 'http://mcp.example.com/mcp' }],
  ])('refuses an http %s off loopback', (name, env) => {
    const line = new RegExp(`^${name}: must be https when NODE_ENV=production: .+ is not loopback`, 'm');
    expect(() => loadMcpConfig({ ...production, ...env })).toThrow(line);
  });

  it.each(['http://localhost:4000', 'http://127.0.0.1:4000', 'http://[::1]:4000', 'https://auth.example.com'])(
    'accepts %s as ISSUER',
    (issuer) => {
      expect(loadMcpConfig({ ...production, ISSUER: issuer }).issuer).toBe(issuer);
    },
  );
});
