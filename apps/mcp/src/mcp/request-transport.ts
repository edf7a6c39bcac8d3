import type {
  JSONRPCErrorResponse,
  JSONRPCMessage,
  JSONRPCNotification,
  JSONRPCRequest,
  JSONRPCResultResponse,
  MessageExtraInfo,
  RequestId,
} from '@modelcontextprotocol/sdk/types.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';

export type JsonRpcReply = JSONRPCResultResponse | JSONRPCErrorResponse;

type Pending = { clientId: RequestId; resolve(reply: JsonRpcReply): void };

/**
 * An SDK `Transport` that lets ONE long-lived MCP `Server` answer many concurrent stateless HTTP
 * requests. The SDK's stateless Streamable HTTP transport must be created (with a new server) per
 * request because JSON-RPC ids from different clients collide; here each incoming request gets a
 * process-unique id on the way in and its own id back on the way out, so the SDK's Protocol keeps
 * doing all JSON-RPC handling (dispatch, validation, errors) while nothing is rebuilt per request.
 *
 * Server-to-client messages (progress, logging) have no channel in JSON-response mode and are
 * dropped, as the SDK's own transport does without a stream. `notifications/cancelled` is dropped
 * too: ids are private to this process, so a client could only ever name someone else's request.
 */
export class RequestScopedTransport implements Transport {
  onmessage?: (<T extends JSONRPCMessage>(message: T, extra?: MessageExtraInfo) => void) | undefined;
  onclose?: (() => void) | undefined;
  onerror?: ((error: Error) => void) | undefined;

  private nextId = 0;
  private readonly pending = new Map<number, Pending>();
  private closed = false;
  private deliverRequest: ((request: JSONRPCRequest, extra: MessageExtraInfo) => void) | undefined;

  async start(): Promise<void> {}

  /**
   * Hands requests straight to the connected SDK Protocol's request path. Its `onmessage` wrapper
   * first zod-parses every message as a result and then as an error response (two failing parses
   * with their issue lists, ~5 % of a tool call) before recognising a request; ours were already
   * validated by the route with the SDK's own `isJSONRPCRequest`. The Protocol still does the rest
   * (handler lookup, validation, errors). `_onrequest` is private to the SDK, whose version is
   * pinned: should it ever go, this throws at start-up rather than silently taking the slow path.
   */
  deliverRequestsTo(protocol: object): void {
    const onrequest = (protocol as { _onrequest?: unknown })._onrequest;
    if (typeof onrequest !== 'function') throw new Error('@modelcontextprotocol/sdk: Protocol._onrequest is gone; drop deliverRequestsTo');
    this.deliverRequest = (request, extra) => onrequest.call(protocol, request, extra);
  }

  /** Hands a request to the server and resolves with its reply, carrying the client's own id. */
  dispatch(request: JSONRPCRequest, extra: MessageExtraInfo): Promise<JsonRpcReply> {
    if (this.closed) {
      return Promise.resolve({ jsonrpc: '2.0', id: request.id, error: { code: -32000, message: 'Server is shutting down' } });
    }
    const id = ++this.nextId;
    return new Promise<JsonRpcReply>((resolve) => {
      this.pending.set(id, { clientId: request.id, resolve });
      const message = { ...request, id };
      if (this.deliverRequest) this.deliverRequest(message, extra);
      else this.onmessage?.(message, extra);
    });
  }

  /** Hands a notification to the server; there is never a reply. */
  notify(notification: JSONRPCNotification, extra: MessageExtraInfo): void {
    if (this.closed || notification.method === 'notifications/cancelled') return;
    this.onmessage?.(notification, extra);
  }

  async send(message: JSONRPCMessage): Promise<void> {
    // The message comes from the SDK's own Protocol, already shaped: telling a reply from a
    // notification by its keys is enough, and a zod guard here would re-validate every result.
    if (!('id' in message) || !('result' in message || 'error' in message)) return;
    const id = message.id as number;
    const pending = this.pending.get(id);
    if (!pending) return;
    this.pending.delete(id);
    pending.resolve({ ...(message as JsonRpcReply), id: pending.clientId });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const { clientId, resolve } of this.pending.values()) {
      resolve({ jsonrpc: '2.0', id: clientId, error: { code: -32000, message: 'Server is shutting down' } });
    }
    this.pending.clear();
    this.onclose?.();
  }

  get inFlight(): number {
    return this.pending.size;
  }
}
