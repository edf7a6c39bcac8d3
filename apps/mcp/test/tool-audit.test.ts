// Issue 20 item 4: every tools/call leaves one ToolCall row (who, which client, which tool, which
// scopes, allowed or denied and why, outcome, duration), written in batches off the request path,
// for both protocol eras, with no argument or result unless the tool opted in. Real SDK clients
// against the app on loopback, real Postgres.
import { randomUUID } from 'node:crypto';
import { Client as ClientV2, StreamableHTTPClientTransport as TransportV2 } from '@modelcontextprotocol/client';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { PrismaClient } from '@omnichat/db';
import { createMcpMetrics } from '@omnichat/metrics';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '@omnichat/db/testing';
import { startTestBed, TEST_ISSUER, type McpTestBed } from './helpers/fixtures.js';
import { startMcpServer } from './helpers/start-mcp-server.js';
import { postMcp, rpc } from '@omnichat/testkit';

/** Short enough that a test sees its rows within a poll or two. */
const FAST_FLUSH = { flushIntervalMs: 25 };

async function connectV1(bed: McpTestBed, token: string): Promise<Client> {
  const client = new Client({ name: 'audit-v1', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(bed.server.url), { requestInit: { headers: { authorization: `Bearer ${token}` } } }));
  return client;
}

async function connectModern(bed: McpTestBed, token: string): Promise<ClientV2> {
  const client = new ClientV2({ name: 'audit-v2', version: '2.0.0' }, { versionNegotiation: { mode: { pin: '2026-07-28' } } } as never);
  await client.connect(new TransportV2(new URL(bed.server.url), { requestInit: { headers: { authorization: `Bearer ${token}` } } }));
  expect(client.getNegotiatedProtocolVersion()).toBe('2026-07-28');
  return client;
}

/** The user's rows once `count` are there, oldest first (the writer flushes every FAST_FLUSH ms). */
async function rowsOf(prisma: PrismaClient, where: { userId?: string | null; tool?: string }, count: number) {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const rows = await prisma.toolCall.findMany({ where, orderBy: { id: 'asc' } });
    if (rows.length >= count || Date.now() > deadline) return rows;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Every stored column of every row, as one text, to search for what must not be there. */
async function everythingStored(prisma: PrismaClient): Promise<string> {
  const rows = await prisma.$queryRaw<Array<{ row: string }>>`SELECT row_to_json(t)::text AS row FROM "ToolCall" t`;
  return rows.map((row) => row.row).join('\n');
}

describe('tool-call audit, strict mode (the default)', () => {
  let bed: McpTestBed;
  beforeAll(async () => {
    bed = await startTestBed({ toolAudit: FAST_FLUSH });
  });
  afterAll(async () => bed?.close());

  it('SDK v1 client (2025-11-25): allowed calls are recorded with user, client, tool, scopes, outcome and duration, never arguments or results', async () => {
    const user = await bed.createUser();
    const marker = `marker-${randomUUID()}`;
    const client = await connectV1(bed, await bed.token(user, 'files:read files:write', { clientId: 'audit-client-v1' }));
    try {
      await client.callTool({ name: 'private_files_write', arguments: { path: `notes/${marker}.txt`, content: marker } });
      const read = await client.callTool({ name: 'private_files_read', arguments: { path: `notes/${marker}.txt` } });
      expect(read.content).toEqual([{ type: 'text', text: marker }]);
      const missing = await client.callTool({ name: 'private_files_read', arguments: { path: 'notes/absent.txt' } });
      expect(missing.isError).toBe(true);
    } finally {
      await client.close();
    }

    const rows = await rowsOf(bed.prisma, { userId: user }, 3);
    expect(rows.map((row) => [row.tool, row.decision, row.reason, row.outcome])).toEqual([
      ['private_files_write', 'allowed', null, 'ok'],
      ['private_files_read', 'allowed', null, 'ok'],
      ['private_files_read', 'allowed', null, 'tool_error'],
    ]);
    for (const row of rows) {
      expect(row).toMatchObject({ userId: user, clientId: 'audit-client-v1', scopes: ['files:read', 'files:write'], arguments: null });
      expect(row.durationMs).toBeGreaterThan(0);
      expect(Math.abs(row.at.getTime() - Date.now())).toBeLessThan(60_000);
    }
    // The marker went in as a path, as file content and came back as a result: none of it is stored.
    expect(await everythingStored(bed.prisma)).not.toContain(marker);
  });

  it('a call without the scope (strict: HTTP 403 insufficient_scope) is recorded as denied, with the reason and the scopes held', async () => {
    const user = await bed.createUser();
    const client = await connectV1(bed, await bed.token(user, 'files:read', { clientId: 'audit-client-scope' }));
    try {
      await expect(client.callTool({ name: 'private_files_write', arguments: { path: 'x.txt', content: 'x' } })).rejects.toThrow();
    } finally {
      await client.close();
    }
    const [row, ...more] = await rowsOf(bed.prisma, { userId: user }, 1);
    expect(more).toEqual([]);
    expect(row).toMatchObject({
      tool: 'private_files_write',
      clientId: 'audit-client-scope',
      scopes: ['files:read'],
      decision: 'denied',
      reason: 'insufficient_scope',
      outcome: null,
      arguments: null,
    });
  });

  it('SDK v2 client pinned to 2026-07-28: the same rows, allowed and denied', async () => {
    const user = await bed.createUser();
    const client = await connectModern(bed, await bed.token(user, 'files:read', { clientId: 'audit-client-2026' }));
    try {
      const me = await client.callTool({ name: 'whoami', arguments: {} });
      expect(me.isError).toBeFalsy();
      await expect(client.callTool({ name: 'chat_post_message', arguments: { content: 'hello' } })).rejects.toThrow();
    } finally {
      await client.close();
    }
    const rows = await rowsOf(bed.prisma, { userId: user }, 2);
    expect(rows.map((row) => [row.tool, row.clientId, row.scopes, row.decision, row.reason, row.outcome])).toEqual([
      ['whoami', 'audit-client-2026', ['files:read'], 'allowed', null, 'ok'],
      ['chat_post_message', 'audit-client-2026', ['files:read'], 'denied', 'insufficient_scope', null],
    ]);
  });

  it('an unknown tool is denied as unknown_tool, its caller-given name capped; invalid arguments are allowed with outcome invalid_arguments', async () => {
    const user = await bed.createUser();
    const token = await bed.token(user, 'files:read');
    const unknown = await postMcp(bed.server.url, rpc('tools/call', { name: `no_such_tool_${'x'.repeat(300)}`, arguments: {} }), { token });
    expect(unknown.body.error).toBeDefined();
    const invalid = await postMcp(bed.server.url, rpc('tools/call', { name: 'private_files_read', arguments: { path: 42 } }), { token });
    expect(invalid.body.result.isError).toBe(true);

    const rows = await rowsOf(bed.prisma, { userId: user }, 2);
    expect(rows[0]).toMatchObject({ decision: 'denied', reason: 'unknown_tool', outcome: null });
    expect(rows[0]!.tool).toMatch(/^no_such_tool_x+…\[\d+ more chars\]$/);
    expect(rows[0]!.tool.length).toBeLessThan(160);
    expect(rows[1]).toMatchObject({ tool: 'private_files_read', decision: 'allowed', reason: null, outcome: 'invalid_arguments', arguments: null });
  });
});

describe('tool-call audit, mixed mode (MCP_REQUIRE_AUTH=false)', () => {
  let bed: McpTestBed;
  beforeAll(async () => {
    bed = await startTestBed({ requireAuth: false, toolAudit: FAST_FLUSH });
  });
  afterAll(async () => bed?.close());

  it('an anonymous call to a signed-in tool is denied as authentication_required; a public one is allowed with no user', async () => {
    const client = new Client({ name: 'anonymous', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(bed.server.url)));
    try {
      const challenge = await client.callTool({ name: 'whoami', arguments: {} });
      expect(challenge.isError).toBe(true);
      await client.callTool({ name: 'public_search', arguments: { query: 'anything' } });
    } finally {
      await client.close();
    }
    const denied = await rowsOf(bed.prisma, { userId: null, tool: 'whoami' }, 1);
    expect(denied).toEqual([expect.objectContaining({ clientId: null, scopes: [], decision: 'denied', reason: 'authentication_required', outcome: null })]);
    const allowed = await rowsOf(bed.prisma, { userId: null, tool: 'public_search' }, 1);
    expect(allowed).toEqual([expect.objectContaining({ clientId: null, decision: 'allowed', outcome: 'ok', arguments: null })]);
  });

  it('a token without the scope gets the challenge result and a denied row', async () => {
    const user = await bed.createUser();
    const client = await connectV1(bed, await bed.token(user, 'chat:read'));
    try {
      const result = await client.callTool({ name: 'private_files_list', arguments: {} });
      expect(result._meta?.['mcp/www_authenticate']).toBeDefined();
    } finally {
      await client.close();
    }
    const rows = await rowsOf(bed.prisma, { userId: user }, 1);
    expect(rows).toEqual([expect.objectContaining({ tool: 'private_files_list', scopes: ['chat:read'], decision: 'denied', reason: 'insufficient_scope' })]);
  });
});

describe('tool-call audit batching', () => {
  it('writes nothing per call and every queued row when the app closes: no row is lost', async () => {
    // An interval and a batch size the test never reaches: only the close can write these rows.
    const bed = await startTestBed({ toolAudit: { flushIntervalMs: 600_000, batchRows: 10_000 } });
    try {
      const user = await bed.createUser();
      const client = await connectV1(bed, await bed.token(user, 'files:read'));
      for (let i = 0; i < 30; i++) await client.callTool({ name: 'whoami', arguments: {} });
      await client.close();
      expect(await bed.prisma.toolCall.count()).toBe(0);
      await bed.server.close();
      expect(await bed.prisma.toolCall.count({ where: { userId: user, tool: 'whoami', outcome: 'ok' } })).toBe(30);
    } finally {
      await bed.close().catch(() => {});
    }
  });

  it('writes a full batch at once, before the interval', async () => {
    const bed = await startTestBed({ toolAudit: { flushIntervalMs: 600_000, batchRows: 5 } });
    try {
      const user = await bed.createUser();
      const token = await bed.token(user, 'files:read');
      for (let i = 0; i < 5; i++) await postMcp(bed.server.url, rpc('tools/call', { name: 'whoami', arguments: {} }), { token });
      expect((await rowsOf(bed.prisma, { userId: user }, 5)).length).toBe(5);
    } finally {
      await bed.close();
    }
  });

  it('is bounded: beyond maxQueuedRows new rows are dropped and counted, and the calls still answer', async () => {
    const metrics = createMcpMetrics();
    const bed = await startTestBed({ metrics, toolAudit: { flushIntervalMs: 600_000, batchRows: 10_000, maxQueuedRows: 4 } });
    try {
      const user = await bed.createUser();
      const token = await bed.token(user, 'files:read');
      for (let i = 0; i < 7; i++) {
        const reply = await postMcp(bed.server.url, rpc('tools/call', { name: 'whoami', arguments: {} }), { token });
        expect(reply.body.result.isError).toBeFalsy();
      }
      const dropped = await metrics.registry.getSingleMetricAsString('omnichat_tool_audit_dropped_total');
      expect(dropped).toMatch(/^omnichat_tool_audit_dropped_total\{reason="queue_full",app="mcp"\} 3$/m);
      await bed.server.close();
      expect(await bed.prisma.toolCall.count()).toBe(4);
    } finally {
      await bed.close().catch(() => {});
    }
  });
});

describe('tool-call audit retention in the app', () => {
  it('prunes rows older than TOOL_AUDIT_RETENTION_DAYS soon after start, keeping the rest', async () => {
    const database = await createTestDatabase();
    const day = 86_400_000;
    try {
      const base = { tool: 'whoami', scopes: [], decision: 'allowed', outcome: 'ok' };
      await database.prisma.toolCall.createMany({ data: [{ ...base, at: new Date(Date.now() - 3 * day) }, { ...base, at: new Date(Date.now() - 2 * day) }, { ...base, at: new Date(Date.now() - day / 2) }] });
      const server = await startMcpServer({
        databaseUrl: database.url,
        issuer: TEST_ISSUER,
        env: { TOOL_AUDIT_RETENTION_DAYS: '1' },
        toolAudit: { firstPruneDelayMs: 1 },
      });
      try {
        const deadline = Date.now() + 5_000;
        while ((await database.prisma.toolCall.count()) > 1 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
        const left = await database.prisma.toolCall.findMany();
        expect(left).toHaveLength(1);
        expect(left[0]!.at.getTime()).toBeGreaterThan(Date.now() - day);
      } finally {
        await server.close();
      }
    } finally {
      await database.drop();
    }
  });
});
