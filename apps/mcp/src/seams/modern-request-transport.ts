import {
  PerRequestHTTPServerTransport,
  type JSONRPCErrorResponse,
  type JSONRPCMessage,
  type JSONRPCRequest,
  type JSONRPCResultResponse,
  type MessageExtraInfo,
  type RequestId,
} from '@modelcontextprotocol/server';

export type ModernReply = {
  reply: JSONRPCResultResponse | JSONRPCErrorResponse;
  /**
   * The error was sent while the request was being handed to the SDK (its method registry,
   * era and envelope gates answer synchronously; handlers always run later): a refusal of the
   * request itself, which 2026-07-28 answers with an HTTP status (404 for an unknown method).
   */
  refusedAtDispatch: boolean;
};

type Pending = { clientId: RequestId; resolve(reply: ModernReply): void; dispatching: boolean };

export const MODERN_CLASSIFICATION = { era: 'modern', revision: '2026-07-28' } as const;

/**
 * SEAM (MCP SDK v2, `@modelcontextprotocol/server` 2.4): one long-lived SDK `Server` bound to
 * MCP 2026-07-28, answering many concurrent requests.
 *
 * What the SDK offers: a `Server` is bound to the 2026-07-28 era when it connects to a
 * `PerRequestHTTPServerTransport` whose classification names that revision (documented on the
 * class); `createMcpHandler` then builds a new server and a single-use transport per request.
 * That costs more than half of a 2026-07-28 tool call here (a server, its handler tables, a web
 * Request and Response, and an Error for each instance's close). What it lacks: a way to keep a
 * modern-bound instance for many requests. So this subclass is that transport in name, for the
 * binding, and the request-scoped multiplexer of src/mcp/request-transport.ts in behaviour: it
 * overrides every method of the parent (whose own state it never touches) and feeds requests,
 * tagged with the classification, through the public `onmessage` the Protocol installs.
 *
 * What the SDK still does on this path: the era gate, the method registry (-32601), the
 * envelope check, params validation, the handlers, result encoding (`resultType`, `serverInfo`,
 * `ttlMs`/`cacheScope`), `server/discover`. What src/http/mcp-route.ts does in front of it with
 * the SDK's public classifier and src/seams/standard-request-headers.ts: the HTTP-side rungs of
 * `createMcpHandler`. test/seams.contract.test.ts pins both against the SDK's own entry, so an
 * SDK upgrade that changes either fails there first.
 */
export class ModernRequestScopedTransport extends PerRequestHTTPServerTransport {
  private nextId = 0;
  private readonly pending = new Map<number, Pending>();
  private isClosed = false;

  constructor() {
    super({ classification: MODERN_CLASSIFICATION, responseMode: 'json' });
  }

  override async start(): Promise<void> {}

  /** Hands a 2026-07-28 request to the bound server; resolves with its reply under the client's own id. */
  dispatch(request: JSONRPCRequest, extra: Omit<MessageExtraInfo, 'classification'>): Promise<ModernReply> {
    if (this.isClosed) {
      return Promise.resolve({ reply: { jsonrpc: '2.0', id: request.id, error: { code: -32000, message: 'Server is shutting down' } }, refusedAtDispatch: false });
    }
    const id = ++this.nextId;
    return new Promise<ModernReply>((resolve) => {
      const pending: Pending = { clientId: request.id, resolve, dispatching: true };
      this.pending.set(id, pending);
      try {
        this.onmessage?.({ ...request, id }, { ...extra, classification: MODERN_CLASSIFICATION });
      } finally {
        pending.dispatching = false;
      }
    });
  }

  override async send(message: JSONRPCMessage): Promise<void> {
    // From the SDK's own Protocol, already shaped: replies have an id and a result or an error.
    // Notifications (progress, logs) have no channel in JSON-response mode and are dropped.
    if (!('id' in message) || !('result' in message || 'error' in message)) return;
    const pending = this.pending.get(message.id as number);
    if (!pending) return;
    this.pending.delete(message.id as number);
    const reply = { ...(message as JSONRPCResultResponse | JSONRPCErrorResponse), id: pending.clientId };
    pending.resolve({ reply, refusedAtDispatch: pending.dispatching && 'error' in message });
  }

  override writeCommentFrame(): void {}

  override handleMessage(): Promise<Response> {
    return Promise.reject(new Error('ModernRequestScopedTransport serves through dispatch()'));
  }

  override async close(): Promise<void> {
    if (this.isClosed) return;
    this.isClosed = true;
    for (const { clientId, resolve } of this.pending.values()) {
      resolve({ reply: { jsonrpc: '2.0', id: clientId, error: { code: -32000, message: 'Server is shutting down' } }, refusedAtDispatch: false });
    }
    this.pending.clear();
    this.onclose?.();
  }

  get inFlight(): number {
    return this.pending.size;
  }
}
