// Contract tests of src/seams/: what each seam assumes of the MCP SDK v2, checked against the SDK
// itself, so an upgrade that changes the assumption fails here rather than in production.
import { classifyInboundRequest, createMcpHandler, Server, type InboundHttpRequest, type JSONRPCRequest } from '@modelcontextprotocol/server';
import { describe, expect, it } from 'vitest';
import { classifyRequest } from '../src/seams/classify-request.js';
import { ModernRequestScopedTransport } from '../src/seams/modern-request-transport.js';
import { standardHeaderRefusal } from '../src/seams/standard-request-headers.js';

const ENVELOPE = {
  'io.modelcontextprotocol/protocolVersion': '2026-07-28',
  'io.modelcontextprotocol/clientInfo': { name: 'contract', version: '1' },
  'io.modelcontextprotocol/clientCapabilities': {},
};
const VERSIONS = ['2026-07-28', '2025-11-25', '2025-06-18'];

function newServer(): Server {
  const server = new Server({ name: 'contract', version: '1.0.0' }, { capabilities: { tools: {} }, supportedProtocolVersions: VERSIONS });
  server.setRequestHandler('tools/list', () => ({ tools: [{ name: 'echo', inputSchema: { type: 'object' } }] }));
  server.setRequestHandler('tools/call', async (request) => {
    if (request.params.name === 'boom') throw new Error('handler failure');
    await new Promise((resolve) => setTimeout(resolve, Number((request.params.arguments as { wait?: number } | undefined)?.wait ?? 0)));
    return { content: [{ type: 'text', text: String((request.params.arguments as { say?: string } | undefined)?.say) }] };
  });
  return server;
}

const request = (method: string, params: Record<string, unknown> = {}, id: string | number = 1): JSONRPCRequest =>
  ({ jsonrpc: '2.0', id, method, params: { ...params, _meta: ENVELOPE } }) as JSONRPCRequest;

describe('seam: ModernRequestScopedTransport (one long-lived server bound to 2026-07-28)', () => {
  it('the SDK binds a server connected to it to 2026-07-28: results carry the 2026 encoding', async () => {
    const server = newServer();
    const transport = new ModernRequestScopedTransport();
    await server.connect(transport);
    const { reply, refusedAtDispatch } = await transport.dispatch(request('tools/list'), {});
    expect(refusedAtDispatch).toBe(false);
    expect(reply).toMatchObject({ jsonrpc: '2.0', id: 1, result: { resultType: 'complete', tools: [{ name: 'echo' }], _meta: { 'io.modelcontextprotocol/serverInfo': { name: 'contract' } } } });
    const discover = await transport.dispatch(request('server/discover'), {});
    expect(discover.reply).toMatchObject({ result: { supportedVersions: ['2026-07-28'], capabilities: { tools: {} } } });
    // 2025-only methods do not exist on this era.
    for (const method of ['initialize', 'ping']) {
      const refused = await transport.dispatch(request(method), {});
      expect(refused).toMatchObject({ refusedAtDispatch: true, reply: { error: { code: -32601 } } });
    }
    await server.close();
  });

  it('tells refusals made while dispatching (unknown method) from handler errors, which stay in-band', async () => {
    const server = newServer();
    const transport = new ModernRequestScopedTransport();
    await server.connect(transport);
    expect(await transport.dispatch(request('nope/unknown'), {})).toMatchObject({ refusedAtDispatch: true, reply: { error: { code: -32601 } } });
    const failed = await transport.dispatch(request('tools/call', { name: 'boom', arguments: {} }), {});
    expect(failed.refusedAtDispatch).toBe(false);
    expect('error' in failed.reply || (failed.reply.result as { isError?: boolean }).isError).toBeTruthy();
    await server.close();
  });

  it('keeps concurrent requests with the same client id apart, each answered with its own id', async () => {
    const server = newServer();
    const transport = new ModernRequestScopedTransport();
    await server.connect(transport);
    const replies = await Promise.all(
      ['a', 'b', 'c'].map((say, i) => transport.dispatch(request('tools/call', { name: 'echo', arguments: { say, wait: 30 - i * 10 } }, 7), {})),
    );
    expect(replies.map(({ reply }) => [reply.id, (reply as unknown as { result: { content: Array<{ text: string }> } }).result.content[0]!.text])).toEqual([[7, 'a'], [7, 'b'], [7, 'c']]);
    expect(transport.inFlight).toBe(0);
    await server.close();
  });

  it('answers requests still in flight when it closes', async () => {
    const server = newServer();
    const transport = new ModernRequestScopedTransport();
    await server.connect(transport);
    const pending = transport.dispatch(request('tools/call', { name: 'echo', arguments: { wait: 5_000 } }, 'x'), {});
    await transport.close();
    expect((await pending).reply).toEqual({ jsonrpc: '2.0', id: 'x', error: { code: -32000, message: 'Server is shutting down' } });
  });
});

describe('seam: standardHeaderRefusal agrees with the SDK entry (createMcpHandler) case by case', () => {
  const handler = createMcpHandler(() => newServer(), { legacy: 'reject' });
  const call = request('tools/call', { name: 'echo', arguments: { say: 'hi' } });
  const list = request('tools/list');
  const base64 = (value: string) => `=?base64?${Buffer.from(value).toString('base64')}?=`;
  const cases: Array<[string, JSONRPCRequest, Record<string, string>]> = [
    ['all headers right', call, { 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/call', 'mcp-name': 'echo' }],
    ['no MCP-Protocol-Version', call, { 'mcp-method': 'tools/call', 'mcp-name': 'echo' }],
    ['no Mcp-Method', call, { 'mcp-protocol-version': '2026-07-28', 'mcp-name': 'echo' }],
    ['no Mcp-Name on tools/call', call, { 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/call' }],
    ['Mcp-Name naming another tool', call, { 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/call', 'mcp-name': 'other' }],
    ['Mcp-Name as a matching Base64 sentinel', call, { 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/call', 'mcp-name': base64('echo') }],
    ['Mcp-Name as a sentinel of another name', call, { 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/call', 'mcp-name': base64('other') }],
    ['Mcp-Name as a broken sentinel', call, { 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/call', 'mcp-name': '=?base64?%%%?=' }],
    ['tools/list without Mcp-Name', list, { 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/list' }],
    ['tools/list with a stray Mcp-Name', list, { 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/list', 'mcp-name': 'x' }],
  ];

  it.each(cases)('%s', async (_name, message, headers) => {
    const response = await handler.fetch(
      new Request('http://127.0.0.1/mcp', { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers }, body: JSON.stringify(message) }),
    );
    const sdk = (await response.json()) as { error?: { code: number; message: string; data?: unknown } };
    const ours = standardHeaderRefusal({ protocolVersion: headers['mcp-protocol-version'], method: headers['mcp-method'], name: headers['mcp-name'] }, message);
    if (ours === undefined) {
      expect(response.status).toBe(200);
      expect(sdk.error).toBeUndefined();
    } else {
      expect(response.status).toBe(400);
      expect(sdk.error).toEqual({ code: ours.code, message: ours.message, data: ours.data });
    }
  });
});

describe('seam: classifyRequest gives the SDK classifier\'s outcome', () => {
  const rpc = (method: string, params?: unknown, id: unknown = 1) => ({ jsonrpc: '2.0', id, method, ...(params !== undefined ? { params } : {}) });
  const cases: Array<[string, InboundHttpRequest]> = [
    ['a 2025 request, no header', { httpMethod: 'POST', body: rpc('tools/list') }],
    ['a 2025 request, 2025-11-25 header', { httpMethod: 'POST', body: rpc('tools/call', { name: 'x' }), protocolVersionHeader: '2025-11-25' }],
    ['a 2025 request, padded header', { httpMethod: 'POST', body: rpc('tools/list'), protocolVersionHeader: ' 2025-06-18\t' }],
    ['a 2025 request with an unknown old header', { httpMethod: 'POST', body: rpc('tools/list'), protocolVersionHeader: '1999-01-01' }],
    ['a 2025 request with _meta but no claim', { httpMethod: 'POST', body: rpc('tools/list', { _meta: { progressToken: 1 } }) }],
    ['initialize', { httpMethod: 'POST', body: rpc('initialize', { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'c', version: '1' } }) }],
    ['initialize without a version', { httpMethod: 'POST', body: rpc('initialize', {}) }],
    ['initialize under a 2026 header', { httpMethod: 'POST', body: rpc('initialize', { protocolVersion: '2026-07-28' }), protocolVersionHeader: '2026-07-28' }],
    ['a 2026 header without an envelope', { httpMethod: 'POST', body: rpc('tools/list'), protocolVersionHeader: '2026-07-28' }],
    ['a 2099 header without an envelope', { httpMethod: 'POST', body: rpc('tools/list'), protocolVersionHeader: '2099-01-01' }],
    ['a 2026 envelope', { httpMethod: 'POST', body: rpc('tools/list', { _meta: ENVELOPE }), protocolVersionHeader: '2026-07-28', mcpMethodHeader: 'tools/list' }],
    ['a 2026 envelope under a 2025 header', { httpMethod: 'POST', body: rpc('tools/list', { _meta: ENVELOPE }), protocolVersionHeader: '2025-11-25' }],
    ['a claim naming 2025-11-25', { httpMethod: 'POST', body: rpc('tools/list', { _meta: { ...ENVELOPE, 'io.modelcontextprotocol/protocolVersion': '2025-11-25' } }) }],
    ['a notification', { httpMethod: 'POST', body: { jsonrpc: '2.0', method: 'notifications/initialized' } }],
    ['a response', { httpMethod: 'POST', body: { jsonrpc: '2.0', id: 1, result: {} } }],
    ['not JSON-RPC', { httpMethod: 'POST', body: { hello: 'world' } }],
    ['a request with a bad id', { httpMethod: 'POST', body: rpc('tools/list', undefined, { not: 'an id' }) }],
    ['a request with array params', { httpMethod: 'POST', body: rpc('tools/list', [1, 2]) }],
    ['a 2026 envelope, padded headers', { httpMethod: 'POST', body: rpc('tools/call', { name: 'x', _meta: ENVELOPE }), protocolVersionHeader: '\t2026-07-28 ', mcpMethodHeader: ' tools/call' }],
    ['a 2026 envelope, no headers', { httpMethod: 'POST', body: rpc('tools/call', { name: 'x', _meta: ENVELOPE }) }],
    ['a 2026 envelope with more _meta', { httpMethod: 'POST', body: rpc('tools/list', { _meta: { ...ENVELOPE, progressToken: 'p' } }), protocolVersionHeader: '2026-07-28' }],
    ['a 2026 envelope, Mcp-Method naming another method', { httpMethod: 'POST', body: rpc('tools/call', { name: 'x', _meta: ENVELOPE }), protocolVersionHeader: '2026-07-28', mcpMethodHeader: 'tools/list' }],
    ['a 2026 envelope under a 2099 header', { httpMethod: 'POST', body: rpc('tools/list', { _meta: ENVELOPE }), protocolVersionHeader: '2099-01-01' }],
    ['a 2026 envelope without clientInfo', { httpMethod: 'POST', body: rpc('tools/list', { _meta: { ...ENVELOPE, 'io.modelcontextprotocol/clientInfo': undefined } }), protocolVersionHeader: '2026-07-28' }],
    ['a 2026 envelope with a bad clientInfo', { httpMethod: 'POST', body: rpc('tools/list', { _meta: { ...ENVELOPE, 'io.modelcontextprotocol/clientInfo': { name: 7 } } }), protocolVersionHeader: '2026-07-28' }],
    ['a 2026 envelope on initialize', { httpMethod: 'POST', body: rpc('initialize', { _meta: ENVELOPE }), protocolVersionHeader: '2026-07-28' }],
    ['a 2026 envelope on a response', { httpMethod: 'POST', body: { ...rpc('tools/list', { _meta: ENVELOPE }), result: {} }, protocolVersionHeader: '2026-07-28' }],
    ['a 2026 envelope with a bad id', { httpMethod: 'POST', body: rpc('tools/list', { _meta: ENVELOPE }, { not: 'an id' }), protocolVersionHeader: '2026-07-28' }],
    ['a 2026 envelope on a notification', { httpMethod: 'POST', body: { jsonrpc: '2.0', method: 'notifications/progress', params: { _meta: ENVELOPE } }, protocolVersionHeader: '2026-07-28' }],
    ['a 2026 envelope in a batch', { httpMethod: 'POST', body: [rpc('tools/list', { _meta: ENVELOPE })], protocolVersionHeader: '2026-07-28' }],
  ];
  // Twice: the seam remembers an envelope the classifier accepted, so the second ask takes the shortcut.
  it.each(cases)('%s', (_name, inbound) => {
    const sdk = classifyInboundRequest(inbound);
    expect(classifyRequest(inbound)).toEqual(sdk);
    expect(classifyRequest(inbound)).toEqual(sdk);
  });
});
