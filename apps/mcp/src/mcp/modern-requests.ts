import { createMcpHandler, type AuthInfo, type McpHttpHandler, type Server } from '@modelcontextprotocol/server';

/** The parts of a Fastify request the SDK's 2026-07-28 entry reads. */
export type ModernRequest = {
  url: string;
  /** Request headers, lower-case names; credentials already stripped. */
  headers: Record<string, string>;
  /** The parsed JSON body (Fastify parsed it once). */
  body: unknown;
  authInfo?: AuthInfo | undefined;
  /** Aborted when the client goes away: the SDK then cancels the handler (2026-07-28 Cancellation). */
  signal?: AbortSignal;
};

export type ModernRequestHandler = {
  handle(request: ModernRequest): Promise<Response>;
  close(): Promise<void>;
};

/**
 * MCP 2026-07-28 requests through the SDK's own entry, `createMcpHandler`, strict
 * (`legacy: 'reject'`: 2025 traffic never reaches it, src/http/mcp-route.ts routes that to the
 * long-lived server). The SDK builds an instance from the factory per request, binds it to the
 * request's revision and runs the whole 2026 validation ladder: the `_meta` envelope, the
 * `MCP-Protocol-Version` / `Mcp-Method` / `Mcp-Name` headers against the body (-32020), the
 * client-capability gate, `server/discover`, `resultType`, `ttlMs`/`cacheScope` and
 * `serverInfo` on results. Authentication stays in front of it: `authInfo` is passed through.
 */
export function createModernRequestHandler(
  // eslint-disable-next-line @typescript-eslint/no-deprecated -- the low-level Server (src/mcp/create-mcp-server.ts)
  factory: () => Server,
  onerror: (error: Error) => void,
): ModernRequestHandler {
  const handler: McpHttpHandler = createMcpHandler(() => factory(), { legacy: 'reject', onerror });
  return {
    handle({ url, headers, body, authInfo, signal }) {
      const request = new Request(url, { method: 'POST', headers, ...(signal ? { signal } : {}) });
      return handler.fetch(request, { parsedBody: body, ...(authInfo ? { authInfo } : {}) });
    },
    close: () => handler.close(),
  };
}
