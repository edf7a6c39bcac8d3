import { Server } from '@modelcontextprotocol/server';
import { describe, expect, it } from 'vitest';
import { RequestScopedTransport } from '../src/mcp/request-transport.js';

describe('RequestScopedTransport', () => {
  it('delivers requests to the SDK Protocol and answers each with the caller’s own id', async () => {
    const server = new Server({ name: 't', version: '1' }, { capabilities: { tools: {} } });
    server.setRequestHandler('tools/list', async () => ({ tools: [] }));
    const transport = new RequestScopedTransport();
    await server.connect(transport);
    const [a, b] = await Promise.all([
      transport.dispatch({ jsonrpc: '2.0', id: 7, method: 'tools/list' }, {}),
      transport.dispatch({ jsonrpc: '2.0', id: 7, method: 'nope/unknown' }, {}),
    ]);
    expect(a).toEqual({ jsonrpc: '2.0', id: 7, result: { tools: [] } });
    expect(b).toMatchObject({ jsonrpc: '2.0', id: 7, error: { code: -32601 } });
    expect(transport.inFlight).toBe(0);
    await server.close();
  });

  it('answers requests still in flight when it closes, with their own ids', async () => {
    const server = new Server({ name: 't', version: '1' }, { capabilities: { tools: {} } });
    server.setRequestHandler('tools/list', () => new Promise(() => {}));
    const transport = new RequestScopedTransport();
    await server.connect(transport);
    const pending = transport.dispatch({ jsonrpc: '2.0', id: 'a', method: 'tools/list' }, {});
    await transport.close();
    expect(await pending).toEqual({ jsonrpc: '2.0', id: 'a', error: { code: -32000, message: 'Server is shutting down' } });
  });
});
