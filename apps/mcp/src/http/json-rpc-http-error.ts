/**
 * A request refused at the HTTP layer of the Streamable HTTP transport (wrong method, media type,
 * origin, protocol version, a batch, a header that disagrees with the body). Answered as the
 * SDK's transports answer: a JSON-RPC error with the HTTP status, `id: null` unless the request's
 * own id is known, and `data` when the spec defines some (e.g. the supported versions).
 */
export class JsonRpcHttpError extends Error {
  override readonly name = 'JsonRpcHttpError';
  constructor(
    readonly statusCode: number,
    readonly rpcCode: number,
    message: string,
    readonly headers: Record<string, string> = {},
    readonly data?: unknown,
    readonly id: string | number | null = null,
  ) {
    super(message);
  }
}

export function jsonRpcErrorBody(code: number, message: string, data?: unknown, id: string | number | null = null) {
  return { jsonrpc: '2.0' as const, error: { code, message, ...(data !== undefined ? { data } : {}) }, id };
}
