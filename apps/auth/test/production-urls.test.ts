// Under NODE_ENV=production an http ISSUER or RESOURCE_URL off loopback is refused at boot with one
// line (tokens and passwords would cross it in clear); loopback http stays allowed (a local stack).
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadAuthConfig } from '../src/config.js';

const secret = 'x'.repeat(40);
const production = { NODE_ENV: 'production', KEY_ENCRYPTION_SECRET: secret };
const repo = path.resolve(import.meta.dirname, '../../..');

describe('public URLs under NODE_ENV=production', () => {
  it.each([
    ['ISSUER', { ISSUER: 'http://auth.example.com' }],
    ['ISSUER', { ISSUER: 'http://10.0.0.5:4000' }],
    ['RESOURCE_URL', { RESOURCE_URL: 'http://mcp.example.com/mcp' }],
  ])('refuses an http %s off loopback', (name, env) => {
    const line = new RegExp(`^${name}: must be https when NODE_ENV=production: .+ is not loopback`, 'm');
    expect(() => loadAuthConfig({ ...production, ...env })).toThrow(line);
  });

  it.each(['http://localhost:4000', 'http://127.0.0.1:4000', 'http://[::1]:4000', 'https://auth.example.com'])(
    'accepts %s as ISSUER',
    (issuer) => {
      expect(loadAuthConfig({ ...production, ISSUER: issuer }).issuer).toBe(issuer);
    },
  );

  it('lets development use http on any host (a tunnel or LAN test)', () => {
    expect(loadAuthConfig({ ISSUER: 'http://auth.example.com' }).issuer).toBe('http://auth.example.com');
  });

  it.each(['apps/auth/src/server.ts', 'apps/mcp/src/server.ts'])('%s stops at boot with one clear line and exit 1', (entry) => {
    const child = spawnSync(process.execPath, ['--import', 'tsx', path.join(repo, entry)], {
      cwd: repo,
      encoding: 'utf8',
      timeout: 60_000,
      // No DATABASE_URL: the refusal must come before any database is touched.
      env: { PATH: process.env.PATH, ...production, ISSUER: 'http://auth.example.com', DATABASE_URL: '' },
    });
    expect(child.status).toBe(1);
    expect(child.stderr).toMatch(/^invalid (auth|MCP) configuration:\nISSUER: must be https when NODE_ENV=production: auth\.example\.com is not loopback/m);
    expect(child.stderr).not.toMatch(/\n\s+at /); // no stack trace
    // Node 22 and 24 are supported: oidc-provider's runtime warning must not print on them.
    if (Number(process.versions.node.split('.')[0]) >= 22) expect(child.stderr).not.toMatch(/Unsupported runtime/);
  });
});
