// The MCP app applies the production URL rule (its cases: packages/lifecycle/test/public-url.test.ts;
// the auth app's test boots both servers with it).
import { expect, it } from 'vitest';
import { loadMcpConfig } from '../src/config.js';

const production = { NODE_ENV: 'production', KEY_ENCRYPTION_SECRET: 'x'.repeat(40) };

it('refuses an http ISSUER or RESOURCE_URL off loopback under NODE_ENV=production, accepts loopback', () => {
  expect(() => loadMcpConfig({ ...production, ISSUER: 'http://auth.example.com' })).toThrow(/^ISSUER: must be https/m);
  expect(() => loadMcpConfig({ ...production, RESOURCE_URL: 'http://mcp.example.com/mcp' })).toThrow(/^RESOURCE_URL: must be https/m);
  expect(loadMcpConfig({ ...production, ISSUER: 'http://127.0.0.1:4000' }).issuer).toBe('http://127.0.0.1:4000');
});
