import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBed, type McpTestBed } from './helpers/fixtures.js';
import { callTool, initializeMessage, postMcp, rpc } from '@omnichat/testkit';

describe('mixed mode (MCP_REQUIRE_AUTH=false): tool-level challenges', () => {
  let bed: McpTestBed;
  beforeAll(async () => {
    bed = await startTestBed({ requireAuth: false });
  });
  afterAll(async () => bed?.close());

  it.each([
    ['private_files_read', { path: 'a.txt' }, 'files:read'],
    ['private_files_write', { path: 'a.txt', content: 'x' }, 'files:write'],
    ['chat_history', {}, 'chat:read'],
    ['chat_post_message', { content: 'hi' }, 'chat:write'],
  ])('%s without a token returns the "Connect" challenge for %s', async (name, args, scope) => {
    const result = await callTool(bed.server.url, name, args);
    expect(result).toEqual({
      isError: true,
      content: [{ type: 'text', text: 'Sign in to use this tool' }],
      _meta: {
        'mcp/www_authenticate': [
          `Bearer resource_metadata="${bed.prmUrl}", error="invalid_token", error_description="Sign in to use this tool", scope="${scope}"`,
        ],
      },
    });
  });

  it('whoami without a token asks for any sign-in (no scope)', async () => {
    const result = await callTool(bed.server.url, 'whoami', {});
    expect(result._meta?.['mcp/www_authenticate']).toEqual([
      `Bearer resource_metadata="${bed.prmUrl}", error="invalid_token", error_description="Sign in to use this tool"`,
    ]);
  });

  it('a token without the scope gets insufficient_scope naming every scope the call needs', async () => {
    const user = await bed.createUser();
    const result = await callTool(bed.server.url, 'private_files_write', { path: 'a.txt', content: 'x' }, await bed.token(user, 'files:read chat:read'));
    expect(result).toEqual({
      isError: true,
      content: [{ type: 'text', text: 'The access token lacks a scope this call needs' }],
      _meta: {
        'mcp/www_authenticate': [
          `Bearer resource_metadata="${bed.prmUrl}", error="insufficient_scope", error_description="The access token lacks a scope this call needs", scope="files:write"`,
        ],
      },
    });
    expect(await bed.prisma.file.count({ where: { userId: user } })).toBe(0);
  });

  it('initialize, tools/list and public tools work without a token', async () => {
    expect((await postMcp(bed.server.url, initializeMessage())).status).toBe(200);
    expect((await postMcp(bed.server.url, rpc('tools/list'))).status).toBe(200);
    const result = await callTool(bed.server.url, 'public_search', { query: 'anything' });
    expect(result.isError).toBeUndefined();
  });

  it('an unknown tool is a protocol error (-32602), not a crash', async () => {
    const reply = await postMcp(bed.server.url, rpc('tools/call', { name: 'rm_rf', arguments: {} }, 9));
    expect(reply.body).toEqual({ jsonrpc: '2.0', id: 9, error: { code: -32602, message: 'Unknown tool: rm_rf' } });
  });

  it.each([
    ['a missing argument', 'private_files_read', {}, 'Invalid arguments for private_files_read: path: '],
    ['a wrong type', 'private_files_read', { path: 42 }, 'Invalid arguments for private_files_read: path: '],
    ['an unknown argument', 'private_files_read', { path: 'a', mode: 'x' }, 'Invalid arguments for private_files_read: arguments: Unrecognized key'],
    ['a bad uuid', 'chat_history', { conversation_id: 'nope' }, 'Invalid arguments for chat_history: conversation_id: '],
    ['an out-of-range limit', 'chat_history', { limit: 10_000 }, 'Invalid arguments for chat_history: limit: '],
  ])('%s is a tool error with a clear message', async (_name, tool, args, prefix) => {
    const user = await bed.createUser();
    const result = await callTool(bed.server.url, tool, args, await bed.token(user, 'files:read chat:read'));
    expect(result.isError).toBe(true);
    expect(result.content[0]!.text.startsWith(prefix)).toBe(true);
  });

  // The SDK's Protocol validates the request shape before our handler and reports a ZodError as
  // -32603 with the issue list (SDK 1.32 behaviour); what matters here is: an error, never a 500.
  it('arguments that are not an object are refused by the SDK with a JSON-RPC error', async () => {
    const reply = await postMcp(bed.server.url, rpc('tools/call', { name: 'whoami', arguments: 'x' }, 5), {
      token: await bed.token(randomUUID()),
    });
    expect(reply.status).toBe(200);
    expect(reply.body.id).toBe(5);
    expect(reply.body.error.message).toContain('arguments');
    expect(reply.body.error.message).not.toMatch(/\bat .*\.(js|ts):\d+/);
  });
});

describe.each([
  ['the default (MCP_REQUIRE_AUTH unset)', undefined],
  ['strict mode (MCP_REQUIRE_AUTH=true)', true],
])('%s: every client is asked to sign in', (_mode, requireAuth) => {
  let bed: McpTestBed;
  beforeAll(async () => {
    bed = await startTestBed(requireAuth === undefined ? {} : { requireAuth });
  });
  afterAll(async () => bed?.close());

  it('answers every request without a token with 401, the catalogue scopes and no error code (RFC 6750 §3.1)', async () => {
    const messages = [
      initializeMessage(),
      rpc('server/discover'), // MCP 2026-07-28's first request
      rpc('tools/list'),
      rpc('tools/call', { name: 'public_search', arguments: { query: 'x' } }),
      { jsonrpc: '2.0', method: 'notifications/initialized' },
    ];
    for (const message of messages) {
      const reply = await postMcp(bed.server.url, message);
      expect(reply.status).toBe(401);
      expect(reply.headers.get('www-authenticate')).toBe(
        `Bearer resource_metadata="${bed.prmUrl}", scope="files:read files:write chat:read chat:write ssh:execute"`,
      );
      // Worded for the connection: the handshake is not a tool (issue 14 §7).
      expect(reply.body).toEqual({ error: 'invalid_token', error_description: 'Sign in to connect to this server' });
    }
  });

  it('answers GET and DELETE /mcp without a token with the same 401, not 405 (a 405 read as "no sign-in needed")', async () => {
    for (const method of ['GET', 'DELETE']) {
      const response = await fetch(bed.server.url, { method, headers: { accept: 'text/event-stream' } });
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe(
        `Bearer resource_metadata="${bed.prmUrl}", scope="files:read files:write chat:read chat:write ssh:execute"`,
      );
    }
  });

  it('answers GET /mcp with a valid token 405 (no stream without sessions), with an invalid one 401 invalid_token', async () => {
    const token = await bed.token(await bed.createUser(), 'files:read');
    const ok = await fetch(bed.server.url, { headers: { accept: 'text/event-stream', authorization: `Bearer ${token}` } });
    expect(ok.status).toBe(405);
    expect(ok.headers.get('allow')).toBe('POST');
    const bad = await fetch(bed.server.url, { headers: { accept: 'text/event-stream', authorization: 'Bearer not-a-token' } });
    expect(bad.status).toBe(401);
    expect(bad.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_token"/);
  });

  it('lists securitySchemes on every tool for a signed-in client', async () => {
    const token = await bed.token(await bed.createUser(), 'files:read');
    const reply = await postMcp(bed.server.url, rpc('tools/list'), { token });
    expect(reply.status).toBe(200);
    for (const tool of reply.body.result.tools) {
      expect(tool.securitySchemes).toEqual(expect.any(Array));
      expect(tool._meta.securitySchemes).toEqual(tool.securitySchemes);
    }
  });

  it('still answers a CORS preflight with 204, not 401', async () => {
    const response = await fetch(bed.server.url, {
      method: 'OPTIONS',
      headers: { origin: 'https://chatgpt.com', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization' },
    });
    expect(response.status).toBe(204);
  });

  it('still serves the metadata without a token', async () => {
    expect((await fetch(bed.prmUrl)).status).toBe(200);
  });

  it('answers a missing scope with 403 insufficient_scope and does not run the tool', async () => {
    const user = await bed.createUser();
    const reply = await postMcp(
      bed.server.url,
      rpc('tools/call', { name: 'private_files_write', arguments: { path: 'a', content: 'b' } }),
      { token: await bed.token(user, 'files:read') },
    );
    expect(reply.status).toBe(403);
    expect(reply.headers.get('www-authenticate')).toBe(
      `Bearer error="insufficient_scope", error_description="The access token lacks a scope this call needs", resource_metadata="${bed.prmUrl}", scope="files:write"`,
    );
    expect(reply.body).toEqual({ error: 'insufficient_scope', error_description: 'The access token lacks a scope this call needs' });
    expect(await bed.prisma.file.count({ where: { userId: user } })).toBe(0);
  });

  it('serves a valid token', async () => {
    const user = await bed.createUser();
    const token = await bed.token(user, 'files:read files:write');
    expect((await postMcp(bed.server.url, initializeMessage(), { token })).status).toBe(200);
    const result = await callTool(bed.server.url, 'private_files_write', { path: 'a.txt', content: 'b' }, token);
    expect(result.isError).toBeUndefined();
  });
});
