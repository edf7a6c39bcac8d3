/**
 * Database faults (docs/security.md REL-2 on the MCP side): a real Postgres this test
 * owns (embedded, on a fixed port) is stopped under the running MCP app and started again.
 */
import { randomUUID } from 'node:crypto';
import { startOutagePostgres, type OutagePostgres } from '@omnichat/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLiveGrant, TEST_ISSUER } from '../helpers/fixtures.js';
import { postMcp, rpc } from '@omnichat/testkit';
import { startMcpServer, type RunningMcpServer } from '../helpers/start-mcp-server.js';
import { createTestKey, localKeySet, mintAccessToken, type TestKey } from '../helpers/test-keys.js';

/** What "fast" means here: far below any client timeout, well above a refused connect. */
const FAST_MS = 3_000;

let postgres: OutagePostgres;
let mcp: RunningMcpServer;
let key: TestKey;
let userId: string;

beforeAll(async () => {
  postgres = await startOutagePostgres('mcp_faults');
  key = await createTestKey();
  // Tight bounds from the URL (packages/db honours connect_timeout and statement_timeout there), so
  // a silent server is given up on in about 2 s instead of the production 5 s / 11 s.
  mcp = await startMcpServer({
    databaseUrl: `${postgres.url}?connect_timeout=1&statement_timeout=1000`,
    issuer: TEST_ISSUER,
    getKey: localKeySet(key),
  });
  userId = (await mcp.prisma.user.create({ data: { email: `${randomUUID()}@example.com`, passwordHash: 'x' } })).id;
}, 120_000);

afterAll(async () => {
  await mcp?.close();
  await postgres?.close();
});

async function token(options: { email?: string } = {}) {
  return mintAccessToken(key, {
    issuer: TEST_ISSUER,
    audience: mcp.url,
    subject: userId,
    scope: 'files:read files:write chat:read',
    claims: { gid: await createLiveGrant(mcp.prisma), ...(options.email ? { email: options.email } : {}) },
  });
}

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await work();
  return { value, ms: performance.now() - started };
}

const call = (name: string, args: Record<string, unknown>, bearer: string) =>
  postMcp(mcp.url, rpc('tools/call', { name, arguments: args }, 1), { token: bearer });

function expectCleanUnavailable(reply: Awaited<ReturnType<typeof postMcp>>) {
  expect(reply.status).toBe(200);
  expect(reply.body.result).toEqual({
    isError: true,
    content: [{ type: 'text', text: 'The service is temporarily unavailable. Try again in a moment.' }],
  });
  expect(JSON.stringify(reply.body)).not.toMatch(/ECONNREFUSED|prisma|\.ts:\d+|at [\w.]+ \(/i);
}

describe('Postgres stopped under the running MCP app, then started again', () => {
  it('REL-2 answers fast and cleanly while the database is down, keeps verifying tokens, and recovers without a restart', async () => {
    const known = await token({ email: 'known@example.com' });
    // Warm: this token's grant status and signature are now cached.
    expect((await call('whoami', {}, known)).body.result.isError).toBeUndefined();
    expect((await call('private_files_write', { path: 'a.txt', content: 'before' }, known)).body.result.isError).toBeUndefined();
    // Minted while the database is up (its Grant row exists), first presented while it is down.
    const unseen = await token({ email: 'unseen@example.com' });

    await postgres.stopNow();

    // Tools that need the database: a clean tool error, fast, no internals.
    for (const [name, args] of [
      ['private_files_read', { path: 'a.txt' }],
      ['private_files_write', { path: 'b.txt', content: 'during' }],
      ['chat_history', {}],
    ] as const) {
      const { value, ms } = await timed(() => call(name, args, known));
      expect(ms, name).toBeLessThan(FAST_MS);
      expectCleanUnavailable(value);
    }
    // Token verification needs no database: whoami (email in the token) works for a cached token
    // and for one this server never saw; revocation state falls back to the last known answer.
    for (const bearer of [known, unseen]) {
      const { value, ms } = await timed(() => call('whoami', {}, bearer));
      expect(ms).toBeLessThan(FAST_MS);
      expect(value.status).toBe(200);
      expect(value.body.result.isError).toBeUndefined();
    }
    // Initialize and tools/list need no database either.
    expect((await postMcp(mcp.url, rpc('tools/list'), { token: known })).status).toBe(200);
    const ready = await timed(() => fetch(`${mcp.origin}/readyz`));
    expect(ready.value.status).toBe(503);
    expect(ready.ms).toBeLessThan(FAST_MS);
    expect((await fetch(`${mcp.origin}/healthz`)).status).toBe(200);

    await postgres.restart();

    // Same process, same pool: the next calls reach the database again.
    expect((await fetch(`${mcp.origin}/readyz`)).status).toBe(200);
    const read = await call('private_files_read', { path: 'a.txt' }, known);
    expect(read.body.result.content[0].text).toBe('before');
    expect((await call('private_files_write', { path: 'c.txt', content: 'after' }, known)).body.result.isError).toBeUndefined();
    expect((await call('whoami', {}, await token())).body.result.structuredContent.id).toBe(userId);
  }, 120_000);
});

describe('Postgres that stops answering (every process SIGSTOPped: TCP accepts, nothing replies)', () => {
  it('REL-2 tool calls give up within the connect/statement bounds with the clean error, and recover on SIGCONT', async () => {
    const known = await token({ email: 'hung@example.com' });
    expect((await call('private_files_write', { path: 'hung.txt', content: 'before' }, known)).body.result.isError).toBeUndefined();
    await postgres.freeze();
    try {
      for (const [name, args] of [
        ['private_files_read', { path: 'hung.txt' }],
        ['private_files_list', {}],
      ] as const) {
        const { value, ms } = await timed(() => call(name, args, known));
        // statement 1 s + 1 s client grace, or connect 1 s; never a hang.
        expect(ms, name).toBeLessThan(FAST_MS + 2_000);
        expectCleanUnavailable(value);
      }
      // A cached token keeps verifying: the grant check never waits on the silent database.
      const { value, ms } = await timed(() => call('whoami', {}, known));
      expect(value.body.result.isError).toBeUndefined();
      expect(ms).toBeLessThan(FAST_MS);
    } finally {
      await postgres.thaw();
    }
    const read = await call('private_files_read', { path: 'hung.txt' }, known);
    expect(read.body.result.content[0].text).toBe('before');
  }, 60_000);
});
