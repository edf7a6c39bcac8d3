/**
 * A request refused at the HTTP layer of the Streamable HTTP transport (wrong method, media type,
 * origin, protocol version, a batch). Answered as the SDK's transport answers: a JSON-RPC error
 * with `id: null` and the HTTP status.
 */
export class JsonRpcHttpError extends Error {
  override readonly name = 'JsonRpcHttpError';
  constructor(
    readonly statusCode: number,
    readonly rpcCode: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export function jsonRpcErrorBody(code: number, message: string) {
  return { jsonrpc: '2.0' as const, error: { code, message }, id: null };
}
