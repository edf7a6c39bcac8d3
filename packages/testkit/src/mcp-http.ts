import { randomUUID } from 'node:crypto';

export const PROTOCOL_VERSION = '2025-11-25';

export type RawReply = { status: number; headers: Headers; body: any };

/** One raw POST to /mcp, as a client would send it; parses JSON when there is any. */
export async function postMcp(
  url: string,
  message: unknown,
  options: { token?: string; headers?: Record<string, string> } = {},
): Promise<RawReply> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-protocol-version': PROTOCOL_VERSION,
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...options.headers,
    },
    body: typeof message === 'string' ? message : JSON.stringify(message),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
}

export function rpc(method: string, params?: Record<string, unknown>, id: string | number = randomUUID()) {
  return { jsonrpc: '2.0', id, method, ...(params ? { params } : {}) };
}

export function initializeMessage(id: string | number = 1) {
  return rpc(
    'initialize',
    { protocolVersion: PROTOCOL_VERSION, capabilities: {}, clientInfo: { name: 'raw-test', version: '1.0.0' } },
    id,
  );
}

/** tools/call through raw HTTP; returns the JSON-RPC result (or throws on a protocol error). */
export async function callTool(url: string, name: string, args: Record<string, unknown>, token?: string) {
  const reply = await postMcp(url, rpc('tools/call', { name, arguments: args }), token ? { token } : {});
  if (reply.status !== 200) throw new Error(`tools/call ${name}: HTTP ${reply.status} ${JSON.stringify(reply.body)}`);
  if (reply.body.error) throw new Error(`tools/call ${name}: ${JSON.stringify(reply.body.error)}`);
  return reply.body.result as {
    isError?: boolean;
    content: Array<{ type: string; text: string }>;
    structuredContent?: any;
    _meta?: Record<string, unknown>;
  };
}
