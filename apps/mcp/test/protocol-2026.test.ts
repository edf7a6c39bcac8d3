// MCP 2026-07-28 on the wire, beside 2025-11-25 and 2025-06-18 on the same POST /mcp: what a
// modern request must carry (the `_meta` envelope, MCP-Protocol-Version / Mcp-Method / Mcp-Name
// headers that match the body), what it gets (server/discover, resultType, serverInfo) and what
// it is refused with (the spec's errors and HTTP statuses). Raw HTTP, no SDK client, so each
// rule is checked as a client that gets it wrong would see it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { TOOL_REGISTRY, type ToolRegistration } from '../src/tools/registry.js';
import { defineTool } from '../src/tools/tool-kit.js';
import { startTestBed, type McpTestBed } from './helpers/fixtures.js';
import { postMcp, rpc } from '@omnichat/testkit';

const MODERN = '2026-07-28';
const SUPPORTED = ['2026-07-28', '2025-11-25', '2025-06-18'];
const ENVELOPE = {
  'io.modelcontextprotocol/protocolVersion': MODERN,
  'io.modelcontextprotocol/clientInfo': { name: 'raw-2026', version: '1.0.0' },
  'io.modelcontextprotocol/clientCapabilities': {},
};

/** A well-formed 2026-07-28 request: envelope in `_meta`, the standard headers mirroring the body. */
function modern(method: string, params: Record<string, unknown> = {}, id: string | number = 1) {
  const message = rpc(method, { ...params, _meta: { ...ENVELOPE, ...(params['_meta'] as object | undefined) } }, id);
  const name = typeof params['name'] === 'string' ? params['name'] : undefined;
  const headers: Record<string, string> = { 'mcp-protocol-version': MODERN, 'mcp-method': method, ...(name ? { 'mcp-name': name } : {}) };
  return { message, headers };
}

async function send(bed: McpTestBed, request: { message: unknown; headers: Record<string, string> }, token?: string) {
  return postMcp(bed.server.url, request.message, { headers: request.headers, ...(token ? { token } : {}) });
}

describe('MCP 2026-07-28, strict default (MCP_REQUIRE_AUTH unset)', () => {
  let bed: McpTestBed;
  let token: string;
  beforeAll(async () => {
    bed = await startTestBed();
    token = await bed.token(await bed.createUser('modern@example.com'), 'files:read');
  });
  afterAll(async () => bed?.close());

  it('server/discover without a token is the same 401 challenge as initialize (authorization on every request)', async () => {
    const reply = await send(bed, modern('server/discover'));
    expect(reply.status).toBe(401);
    expect(reply.headers.get('www-authenticate')).toBe(
      `Bearer resource_metadata="${bed.prmUrl}", scope="files:read files:write chat:read chat:write ssh:execute"`,
    );
  });

  it('server/discover with a token names the supported revisions, capabilities and serverInfo', async () => {
    const reply = await send(bed, modern('server/discover'), token);
    expect(reply.status).toBe(200);
    expect(reply.headers.get('content-type')).toMatch(/^application\/json/);
    expect(reply.body).toMatchObject({
      jsonrpc: '2.0',
      id: 1,
      result: {
        resultType: 'complete',
        supportedVersions: [MODERN],
        capabilities: { tools: {} },
        _meta: { 'io.modelcontextprotocol/serverInfo': { name: 'omnichat', version: '0.1.0' } },
      },
    });
  });

  it('tools/list lists every tool with securitySchemes at the top level and in _meta', async () => {
    const reply = await send(bed, modern('tools/list'), token);
    expect(reply.status).toBe(200);
    const tools = reply.body.result.tools as Array<{ name: string; securitySchemes: unknown; _meta: { securitySchemes: unknown } }>;
    expect(tools.map((tool) => tool.name)).toContain('ssh_execute');
    const files = tools.find((tool) => tool.name === 'private_files_write')!;
    expect(files.securitySchemes).toEqual([{ type: 'oauth2', scopes: ['files:write'] }]);
    expect(files._meta.securitySchemes).toEqual(files.securitySchemes);
    expect(reply.body.result.resultType).toBe('complete');
  });

  it('tools/call whoami answers the signed-in user', async () => {
    const reply = await send(bed, modern('tools/call', { name: 'whoami', arguments: {} }), token);
    expect(reply.status).toBe(200);
    expect(reply.body.result).toMatchObject({ resultType: 'complete', structuredContent: { email: 'modern@example.com' } });
    expect(reply.body.result.isError).toBeFalsy();
  });

  it('a tool the token lacks the scope for: one 403 insufficient_scope challenge naming every scope it needs (SEP-2350)', async () => {
    const reply = await send(bed, modern('tools/call', { name: 'private_files_write', arguments: { path: 'a.md', content: 'x' } }), token);
    expect(reply.status).toBe(403);
    const challenges = reply.headers.get('www-authenticate')!;
    expect(challenges.match(/Bearer /g)).toHaveLength(1);
    expect(challenges).toContain('error="insufficient_scope"');
    expect(challenges).toContain('scope="files:write"');
    expect(challenges).not.toContain('offline_access');
  });

  it('an Mcp-Session-Id on a 2026-07-28 request is ignored: served, and no session id minted or echoed', async () => {
    const request = modern('tools/list');
    const reply = await send(bed, { ...request, headers: { ...request.headers, 'mcp-session-id': 'forged-session' } }, token);
    expect(reply.status).toBe(200);
    expect(reply.headers.get('mcp-session-id')).toBeNull();
    expect(reply.body.result.tools.length).toBeGreaterThan(0);
  });

  it('a 2025-11-25 client on the same URL still gets initialize and the 2025 result shape', async () => {
    const reply = await postMcp(bed.server.url, rpc('initialize', { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'old', version: '1' } }, 3), { token });
    expect(reply.status).toBe(200);
    expect(reply.body.result).toMatchObject({ protocolVersion: '2025-06-18', serverInfo: { name: 'omnichat' } });
    const list = await postMcp(bed.server.url, rpc('tools/list', {}, 4), { token, headers: { 'mcp-protocol-version': '2025-06-18' } });
    expect(list.body.result.resultType).toBeUndefined();
    expect(list.body.result.tools.length).toBeGreaterThan(0);
  });

  describe('refusals, each with the spec error (authenticated, so they are not the 401)', () => {
    it('MCP-Protocol-Version 2026-07-28 with no _meta at all: 400 -32602 naming the missing envelope', async () => {
      const reply = await postMcp(bed.server.url, rpc('tools/list', {}, 9), { token, headers: { 'mcp-protocol-version': MODERN, 'mcp-method': 'tools/list' } });
      expect(reply.status).toBe(400);
      expect(reply.body).toMatchObject({ jsonrpc: '2.0', id: 9, error: { code: -32602 } });
      expect(reply.body.error.message).toContain('missing the required per-request envelope key(s): _meta');
    });

    it('a _meta without its protocol version, under a 2026-07-28 header: 400 -32602 naming that key', async () => {
      const { 'io.modelcontextprotocol/protocolVersion': _dropped, ...partial } = ENVELOPE;
      const reply = await postMcp(bed.server.url, rpc('tools/list', { _meta: partial }, 10), { token, headers: { 'mcp-protocol-version': MODERN, 'mcp-method': 'tools/list' } });
      expect(reply.status).toBe(400);
      expect(reply.body).toMatchObject({ jsonrpc: '2.0', id: 10, error: { code: -32602 } });
      expect(reply.body.error.message).toContain('io.modelcontextprotocol/protocolVersion');
    });

    it('a _meta without a protocol version under a 2025 header makes no envelope claim: served as 2025', async () => {
      const { 'io.modelcontextprotocol/protocolVersion': _dropped, ...partial } = ENVELOPE;
      const reply = await postMcp(bed.server.url, rpc('tools/list', { _meta: partial }, 11), { token, headers: { 'mcp-protocol-version': '2025-11-25' } });
      expect(reply.status).toBe(200);
      expect(reply.body.result.resultType).toBeUndefined();
    });

    it('a _meta envelope missing clientCapabilities: 400 -32602', async () => {
      const request = modern('tools/list');
      const { 'io.modelcontextprotocol/clientCapabilities': _dropped, ...partial } = ENVELOPE;
      const message = { ...request.message, params: { _meta: partial } };
      const reply = await send(bed, { message, headers: request.headers }, token);
      expect(reply.status).toBe(400);
      expect(reply.body.error.code).toBe(-32602);
      expect(reply.body.error.message).toContain('clientCapabilities');
    });

    it('Mcp-Method disagreeing with the body method: 400 HeaderMismatch -32020', async () => {
      const request = modern('tools/list');
      const reply = await send(bed, { ...request, headers: { ...request.headers, 'mcp-method': 'tools/call' } }, token);
      expect(reply.status).toBe(400);
      expect(reply.body).toMatchObject({ jsonrpc: '2.0', id: 1, error: { code: -32020 } });
    });

    it('Mcp-Name disagreeing with params.name: 400 -32020, and the tool never runs', async () => {
      const request = modern('tools/call', { name: 'whoami', arguments: {} });
      const reply = await send(bed, { ...request, headers: { ...request.headers, 'mcp-name': 'private_files_read' } }, token);
      expect(reply.status).toBe(400);
      expect(reply.body.error.code).toBe(-32020);
      expect(reply.body.result).toBeUndefined();
    });

    it('Mcp-Name missing on tools/call: 400 -32020', async () => {
      const request = modern('tools/call', { name: 'whoami', arguments: {} });
      const { 'mcp-name': _dropped, ...headers } = request.headers;
      const reply = await send(bed, { message: request.message, headers }, token);
      expect(reply.status).toBe(400);
      expect(reply.body.error.code).toBe(-32020);
    });

    it('Mcp-Method missing: 400 -32020', async () => {
      const request = modern('tools/list');
      const { 'mcp-method': _dropped, ...headers } = request.headers;
      const reply = await send(bed, { message: request.message, headers }, token);
      expect(reply.status).toBe(400);
      expect(reply.body.error.code).toBe(-32020);
    });

    it('MCP-Protocol-Version header disagreeing with the envelope: 400 -32020', async () => {
      const request = modern('tools/list');
      const reply = await send(bed, { ...request, headers: { ...request.headers, 'mcp-protocol-version': '2025-11-25' } }, token);
      expect(reply.status).toBe(400);
      expect(reply.body.error.code).toBe(-32020);
    });

    it('initialize sent with a 2026-07-28 header: 400 -32020 (the handshake is 2025-only)', async () => {
      const reply = await postMcp(bed.server.url, rpc('initialize', { protocolVersion: MODERN, capabilities: {}, clientInfo: { name: 'x', version: '1' } }, 2), {
        token,
        headers: { 'mcp-protocol-version': MODERN, 'mcp-method': 'initialize' },
      });
      expect(reply.status).toBe(400);
      expect(reply.body.error.code).toBe(-32020);
    });

    // The envelope is the 2026-07-28 mechanism: its error lists what server/discover advertises
    // (the published conformance suite checks the two agree); 2025 clients reach the 2025
    // revisions through initialize (next test but one).
    it.each([['2099-01-01'], ['1900-01-01'], ['2025-11-25']])('an envelope naming %s: 400 UnsupportedProtocolVersionError listing the envelope revisions', async (version) => {
      const request = modern('tools/list', { _meta: { 'io.modelcontextprotocol/protocolVersion': version } }, 7);
      const reply = await send(bed, { message: request.message, headers: { ...request.headers, 'mcp-protocol-version': version } }, token);
      expect(reply.status).toBe(400);
      expect(reply.body).toEqual({
        jsonrpc: '2.0',
        id: 7,
        error: { code: -32022, message: `Unsupported protocol version: ${version}`, data: { supported: [MODERN], requested: version } },
      });
    });

    it('an unknown method: 404 -32601 (2026-07-28 "Protocol Version Header")', async () => {
      const reply = await send(bed, modern('resources/list'), token);
      expect(reply.status).toBe(404);
      expect(reply.body.error.code).toBe(-32601);
    });

    it('a 2025 request naming an unsupported header version gets the same error', async () => {
      const reply = await postMcp(bed.server.url, rpc('tools/list', {}, 8), { token, headers: { 'mcp-protocol-version': '2025-03-26' } });
      expect(reply.status).toBe(400);
      expect(reply.body.error).toEqual({ code: -32022, message: 'Unsupported protocol version: 2025-03-26', data: { supported: SUPPORTED, requested: '2025-03-26' } });
    });
  });
});

describe('MCP 2026-07-28, mixed mode (MCP_REQUIRE_AUTH=false)', () => {
  let bed: McpTestBed;
  beforeAll(async () => {
    bed = await startTestBed({ requireAuth: false });
  });
  afterAll(async () => bed?.close());

  it('server/discover answers anonymously, as initialize does in this mode', async () => {
    const reply = await send(bed, modern('server/discover'));
    expect(reply.status).toBe(200);
    expect(reply.body.result.supportedVersions).toEqual([MODERN]);
  });

  it('an anonymous call of a protected tool is a tool result carrying the Apps SDK challenge', async () => {
    const reply = await send(bed, modern('tools/call', { name: 'whoami', arguments: {} }));
    expect(reply.status).toBe(200);
    expect(reply.body.result.isError).toBe(true);
    const [challenge] = reply.body.result._meta['mcp/www_authenticate'] as string[];
    expect(challenge).toContain(`resource_metadata="${bed.prmUrl}"`);
    expect(challenge).not.toContain('offline_access');
  });

  it('public_search works anonymously', async () => {
    const reply = await send(bed, modern('tools/call', { name: 'public_search', arguments: { query: 'oauth' } }));
    expect(reply.status).toBe(200);
    expect(reply.body.result.isError).toBeFalsy();
  });
});

describe('scopes in challenges, the same for 2025-11-25 and 2026-07-28 requests', () => {
  // A tool needing two scopes, so "every scope the operation needs" differs from "the missing one".
  const crossTool = defineTool({
    name: 'cross_read',
    title: 'Read files and chats',
    description: 'Test tool that needs two scopes.',
    input: z.object({}).strict(),
    async run() {
      return { text: 'read both' };
    },
  });
  const registry: ToolRegistration[] = [
    ...TOOL_REGISTRY,
    { tool: crossTool, access: { kind: 'scopes', scopes: ['files:read', 'chat:read'] }, annotations: { readOnlyHint: true } },
  ];
  let bed: McpTestBed;
  let filesOnly: string;
  beforeAll(async () => {
    bed = await startTestBed({ tools: registry });
    filesOnly = await bed.token(await bed.createUser(), 'files:read');
  });
  afterAll(async () => bed?.close());

  const legacyCall = (token: string) =>
    postMcp(bed.server.url, rpc('tools/call', { name: 'cross_read', arguments: {} }, 1), { token, headers: { 'mcp-protocol-version': '2025-11-25' } });
  const modernCall = (token: string) => send(bed, modern('tools/call', { name: 'cross_read', arguments: {} }), token);

  it.each([['2025-11-25', legacyCall], ['2026-07-28', modernCall]] as const)(
    'SEP-2350 (%s): one 403 challenge listing every scope the call needs, the granted one included',
    async (_revision, call) => {
      const reply = await call(filesOnly);
      expect(reply.status).toBe(403);
      expect(reply.headers.get('www-authenticate')).toBe(
        `Bearer error="insufficient_scope", error_description="The access token lacks a scope this call needs", resource_metadata="${bed.prmUrl}", scope="files:read chat:read"`,
      );
    },
  );

  it.each([['2025-11-25', legacyCall], ['2026-07-28', modernCall]] as const)('the tool runs once the token has both (%s)', async (_revision, call) => {
    const reply = await call(await bed.token(await bed.createUser(), 'files:read chat:read'));
    expect(reply.status).toBe(200);
    expect(reply.body.result.content[0].text).toBe('read both');
  });

  it('SEP-2207: offline_access is in no scope this resource advertises or challenges with', async () => {
    const prm = (await (await fetch(bed.prmUrl)).json()) as { scopes_supported: string[] };
    expect(prm.scopes_supported).not.toContain('offline_access');
    const challenges = [
      (await send(bed, modern('server/discover'))).headers.get('www-authenticate'),
      (await postMcp(bed.server.url, rpc('initialize', { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'x', version: '1' } }))).headers.get('www-authenticate'),
      (await modernCall(filesOnly)).headers.get('www-authenticate'),
      (await legacyCall(filesOnly)).headers.get('www-authenticate'),
    ];
    for (const challenge of challenges) {
      expect(challenge).toMatch(/^Bearer /);
      expect(challenge).not.toContain('offline_access');
    }
  });

  it.each([['2025-11-25'], ['2026-07-28']])(
    'tools/list (%s) of a token that can call only some tools still lists every tool, each with its securitySchemes',
    async (revision) => {
      const reply = revision === MODERN
        ? await send(bed, modern('tools/list'), filesOnly)
        : await postMcp(bed.server.url, rpc('tools/list'), { token: filesOnly, headers: { 'mcp-protocol-version': revision } });
      expect(reply.status).toBe(200);
      const tools = reply.body.result.tools as Array<{ name: string; securitySchemes: unknown }>;
      expect(tools.map((tool) => tool.name).sort()).toEqual(registry.map((entry) => entry.tool.name).sort());
      expect(tools.find((tool) => tool.name === 'ssh_execute')!.securitySchemes).toEqual([{ type: 'oauth2', scopes: ['ssh:execute'] }]);
    },
  );
});
