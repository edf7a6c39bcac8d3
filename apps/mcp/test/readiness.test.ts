import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

import { createTestDatabase, type TestDatabase } from '@omnichat/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { TEST_ISSUER } from './helpers/fixtures.js';
import { startMcpServer } from './helpers/start-mcp-server.js';
import { createTestKey, jwksOf } from './helpers/test-keys.js';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => database?.drop());

describe('MCP /readyz', () => {
  it('is unready (503, no detail beyond the check) while the JWKS was never reachable; /healthz stays 200', async () => {
    const mcp = await startMcpServer({ databaseUrl: database.url, issuer: TEST_ISSUER, jwksUrl: 'http://127.0.0.1:9/jwks' });
    try {
      const ready = await fetch(`${mcp.origin}/readyz`);
      expect(ready.status).toBe(503);
      expect(await ready.json()).toEqual({ status: 'unavailable', jwks: 'unreachable' });
      expect(ready.headers.get('cache-control')).toBe('no-store');
      expect((await fetch(`${mcp.origin}/healthz`)).status).toBe(200);
    } finally {
      await mcp.close();
    }
  });

  it('is ready once the JWKS answered, and stays ready when the auth app goes away (stale-if-error keys)', async () => {
    const key = await createTestKey();
    const jwks = createServer((_request, response) => response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(jwksOf(key))));
    await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
    const mcp = await startMcpServer({ databaseUrl: database.url, issuer: TEST_ISSUER, jwksUrl: `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/jwks` });
    try {
      expect((await fetch(`${mcp.origin}/readyz`)).status).toBe(200);
      await new Promise<void>((resolve) => jwks.close(() => resolve()));
      expect((await fetch(`${mcp.origin}/readyz`)).status).toBe(200);
    } finally {
      await mcp.close();
    }
  });
});
