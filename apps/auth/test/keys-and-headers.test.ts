import { createTestDatabase } from '@omnichat/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startAuthServer, type RunningAuthServer } from './helpers/auth-server.js';

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let server: RunningAuthServer;

beforeAll(async () => {
  db = await createTestDatabase();
  server = await startAuthServer({ prisma: db.prisma, env: { CORS_ORIGINS: 'https://chatgpt.com' } });
});

afterAll(async () => {
  await server?.close();
  await db?.drop();
});

describe('signing keys', () => {
  it('serves the current key, then the published next key, at jwks_uri, public halves only', async () => {
    const current = await db.prisma.signingKey.findFirstOrThrow({ where: { state: 'current' } });
    const next = await db.prisma.signingKey.findFirstOrThrow({ where: { state: 'next' } });
    const { keys } = (await (await fetch(`${server.issuer}/jwks`)).json()) as { keys: Array<{ kid: string; d?: string }> };
    expect(keys.map((key) => key.kid)).toEqual([current.kid, next.kid]);
    expect(keys.every((key) => key.d === undefined)).toBe(true);
  });
});

describe('CORS', () => {
  it('allows any origin to register (open, credential-free)', async () => {
    const preflight = await fetch(`${server.issuer}/register`, { method: 'OPTIONS', headers: { origin: 'http://localhost:6274', 'access-control-request-method': 'POST' } });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
  });

  it('answers token requests from configured origins only (AS-73)', async () => {
    const registered = await fetch(`${server.issuer}/register`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ redirect_uris: ['http://127.0.0.1:9999/cb'], token_endpoint_auth_method: 'none', grant_types: ['authorization_code', 'refresh_token'] }),
    });
    const { client_id: clientId } = (await registered.json()) as { client_id: string };
    const post = (origin: string) => fetch(`${server.issuer}/token`, {
      method: 'POST',
      headers: { origin, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: 'unknown', client_id: clientId }),
    });
    const allowed = await post('https://chatgpt.com');
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://chatgpt.com');
    expect(await allowed.json()).toMatchObject({ error: 'invalid_grant' });
    const evil = await post('https://evil.example');
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();
    expect(await evil.json()).toMatchObject({ error: 'invalid_request', error_description: `origin https://evil.example not allowed for client: ${clientId}` });
  });

  it('never adds CORS to the authorization endpoint', async () => {
    const response = await fetch(`${server.issuer}/auth?client_id=x`, { headers: { origin: 'https://chatgpt.com' }, redirect: 'manual' });
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('pages', () => {
  it('serves errors as escaped HTML with anti-framing headers and no stack', async () => {
    const response = await fetch(`${server.issuer}/interaction/%3Cscript%3E`);
    expect(response.status).toBe(400);
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    expect(response.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    const body = await response.text();
    expect(body).not.toContain('<script>');
    expect(body).not.toMatch(/at .*\.(ts|js):\d+/);
  });
});
