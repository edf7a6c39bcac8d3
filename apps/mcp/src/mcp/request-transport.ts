import type {
  JSONRPCErrorResponse,
  JSONRPCMessage,
  JSONRPCNotification,
  JSONRPCRequest,
  JSONRPCResultResponse,
  MessageExtraInfo,
  RequestId,
  Transport,
} from '@modelcontextprotocol/server';

export type JsonRpcReply = JSONRPCResultResponse | JSONRPCErrorResponse;

type Pending = { clientId: RequestId; resolve(reply: JsonRpcReply): void };

/**
 * An SDK `Transport` that lets ONE long-lived MCP `Server` answer many concurrent stateless HTTP
 * requests of the 2025 revisions (initialize-era). The SDK's stateless legacy serving builds a
 * server and a transport per request because JSON-RPC ids from different clients collide; here
 * each incoming request gets a process-unique id on the way in and its own id back on the way
 * out, so the SDK's Protocol keeps doing all JSON-RPC handling (dispatch, validation, errors)
 * while nothing is rebuilt per request. Messages go in through the public `onmessage` the
 * Protocol installs on `connect()`.
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

  async start(): Promise<void> {}

  /** Hands a request to the server and resolves with its reply, carrying the client's own id. */
  dispatch(request: JSONRPCRequest, extra: MessageExtraInfo): Promise<JsonRpcReply> {
    if (this.closed) {
      return Promise.resolve({ jsonrpc: '2.0', id: request.id, error: { code: -32000, message: 'Server is shutting down' } });
    }
    const id = ++this.nextId;
    return new Promise<JsonRpcReply>((resolve) => {
      this.pending.set(id, { clientId: request.id, resolve });
      this.onmessage?.({ ...request, id }, extra);
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
