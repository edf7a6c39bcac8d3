import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '@omnichat/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLiveGrant, TEST_ISSUER } from './helpers/fixtures.js';
import { callTool, initializeMessage, postMcp } from '@omnichat/testkit';
import { startMcpServer, type RunningMcpServer } from './helpers/start-mcp-server.js';
import { createTestKey, jwksOf, mintAccessToken, type TestKey } from './helpers/test-keys.js';

let database: TestDatabase;
let key: TestKey;
let jwksUrl: string;
let stopJwks: () => Promise<void>;
let fetches = 0;

beforeAll(async () => {
  database = await createTestDatabase();
  key = await createTestKey();
  const server = createServer((_req, res) => {
    fetches += 1;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(jwksOf(key)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks`;
  stopJwks = () => new Promise<void>((resolve) => server.close(() => resolve()));
});
afterAll(async () => {
  await stopJwks?.().catch(() => {});
  await database?.drop();
});

describe('the app with its default remote key set (JWKS_URL)', () => {
  let mcp: RunningMcpServer;
  beforeAll(async () => {
    mcp = await startMcpServer({ databaseUrl: database.url, issuer: TEST_ISSUER, jwksUrl });
  });
  afterAll(async () => mcp?.close());

  it('verifies tokens with keys fetched once, and keeps verifying after the endpoint stops', async () => {
    const token = async () =>
      mintAccessToken(key, { issuer: TEST_ISSUER, audience: mcp.url, subject: randomUUID(), claims: { gid: await createLiveGrant(database.prisma) } });
    const first = await callTool(mcp.url, 'whoami', {}, await token());
    expect(first.isError).toBeUndefined();
    expect((await callTool(mcp.url, 'whoami', {}, await token())).isError).toBeUndefined();
    expect(fetches).toBe(1);
    await stopJwks();
    expect((await callTool(mcp.url, 'whoami', {}, await token())).isError).toBeUndefined();
  });
});

describe('keys never fetched', () => {
  it('answers 503, not a 401 that would send the user to sign in again', async () => {
    const mcp = await startMcpServer({ databaseUrl: database.url, issuer: TEST_ISSUER, jwksUrl: 'http://127.0.0.1:9/jwks' });
    try {
      const token = await mintAccessToken(key, { issuer: TEST_ISSUER, audience: mcp.url });
      const reply = await postMcp(mcp.url, initializeMessage(), { token });
      expect(reply.status).toBe(503);
      expect(reply.headers.get('www-authenticate')).toBeNull();
      expect(reply.body).toEqual({ jsonrpc: '2.0', id: null, error: { code: -32000, message: 'Service temporarily unavailable' } });
    } finally {
      await mcp.close();
    }
  });
});
