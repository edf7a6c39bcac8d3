import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import { RequestScopedTransport } from '../src/mcp/request-transport.js';

describe('RequestScopedTransport', () => {
  it('delivers requests to the SDK Protocol and answers each with the caller’s own id', async () => {
    const server = new Server({ name: 't', version: '1' }, { capabilities: { tools: {} } });
    server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools: [] }));
    const transport = new RequestScopedTransport();
    await server.connect(transport);
    transport.deliverRequestsTo(server);
    const [a, b] = await Promise.all([
      transport.dispatch({ jsonrpc: '2.0', id: 7, method: 'tools/list' }, {}),
      transport.dispatch({ jsonrpc: '2.0', id: 7, method: 'nope/unknown' }, {}),
    ]);
    expect(a).toEqual({ jsonrpc: '2.0', id: 7, result: { tools: [] } });
    expect(b).toMatchObject({ jsonrpc: '2.0', id: 7, error: { code: -32601 } });
    expect(transport.inFlight).toBe(0);
    await server.close();
  });

  it('refuses at start-up when the SDK no longer has the request path it relies on', () => {
    expect(() => new RequestScopedTransport().deliverRequestsTo({})).toThrow(/Protocol\._onrequest is gone/);
  });
});
