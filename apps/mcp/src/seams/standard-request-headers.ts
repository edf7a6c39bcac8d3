import type { JSONRPCRequest } from '@modelcontextprotocol/server';

export type HeaderRefusal = { code: -32020; message: string; data: { mismatch: { header: string; body: string } } };

/** The methods whose `Mcp-Name` header mirrors a body field (MCP 2026-07-28 "Standard Request Headers"). */
const MCP_NAME_SOURCE: Readonly<Record<string, string>> = {
  'tools/call': 'name',
  'prompts/get': 'name',
  'resources/read': 'uri',
  'tasks/get': 'taskId',
  'tasks/update': 'taskId',
  'tasks/cancel': 'taskId',
};

const BASE64_PREFIX = '=?base64?';
const BASE64_SUFFIX = '?=';
const BASE64_CANONICAL = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * SEAM (MCP SDK v2 2.4): the standard-header rung of the 2026-07-28 validation ladder for a
 * request already classified as 2026-07-28 by the SDK's public `classifyInboundRequest` (which
 * itself refuses an `MCP-Protocol-Version` or `Mcp-Method` header that disagrees with the body).
 * The SDK runs this rung only inside `createMcpHandler` and does not export it; the long-lived
 * modern server (src/seams/modern-request-transport.ts) needs it in front. The spec's rules
 * (2026-07-28 "Server Validation"): `MCP-Protocol-Version`, `Mcp-Method` and, for the methods
 * above, `Mcp-Name` are required; `Mcp-Name` may carry the `=?base64?…?=` sentinel and must equal
 * the body value once decoded. Refusal: 400 with -32020 HeaderMismatch. Pinned against the SDK's
 * entry case by case in test/seams.contract.test.ts.
 */
export function standardHeaderRefusal(
  headers: { protocolVersion?: string | undefined; method?: string | undefined; name?: string | undefined },
  request: JSONRPCRequest,
): HeaderRefusal | undefined {
  if (headers.protocolVersion === undefined) {
    return mismatch('(missing)', `the body envelope names protocol version 2026-07-28 but the required MCP-Protocol-Version header is absent`);
  }
  if (headers.method === undefined) {
    return mismatch('(missing)', `the body names method ${request.method} but the required Mcp-Method header is absent`);
  }
  const field = Object.hasOwn(MCP_NAME_SOURCE, request.method) ? MCP_NAME_SOURCE[request.method] : undefined;
  if (field === undefined) return undefined;
  const raw = request.params?.[field];
  const bodyValue = typeof raw === 'string' ? raw : undefined;
  if (headers.name === undefined) {
    return bodyValue === undefined ? undefined : mismatch('(missing)', `the body carries params.${field}="${bodyValue}" but the required Mcp-Name header is absent`);
  }
  const header = headers.name.replace(/^[ \t]+|[ \t]+$/g, '');
  const decoded = decodeSentinel(header);
  if (decoded === undefined) return mismatch(header, 'the Mcp-Name header carries an invalid Base64 sentinel value');
  if (bodyValue !== undefined && decoded !== bodyValue) {
    return mismatch(header, `the body carries params.${field}="${bodyValue}" but the Mcp-Name header names "${decoded}"`);
  }
  return undefined;
}

function mismatch(header: string, body: string): HeaderRefusal {
  return { code: -32020, message: `Bad Request: the request headers and body disagree: ${body}`, data: { mismatch: { header, body } } };
}

function decodeSentinel(value: string): string | undefined {
  if (!(value.startsWith(BASE64_PREFIX) && value.endsWith(BASE64_SUFFIX))) return value;
  const encoded = value.slice(BASE64_PREFIX.length, value.length - BASE64_SUFFIX.length);
  if (!BASE64_CANONICAL.test(encoded)) return undefined;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(encoded, 'base64'));
  } catch {
    return undefined;
  }
}
