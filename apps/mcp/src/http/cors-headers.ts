import type { FastifyReply, FastifyRequest } from 'fastify';

/** Browser clients must read the challenge to start OAuth (MCP authorization, RFC 9728 §5.1). */
export const CORS_EXPOSED_HEADERS = ['WWW-Authenticate', 'Mcp-Session-Id'] as const;

/** @fastify/cors options: preflights (any path) and every route outside the /mcp context. */
export function corsPluginOptions(corsOrigins: readonly string[]) {
  return {
    origin: [...corsOrigins],
    methods: ['GET', 'POST', 'DELETE', 'OPTIONS'],
    // Mcp-Method and Mcp-Name: the request headers MCP 2026-07-28 requires on every POST.
    allowedHeaders: ['Authorization', 'DPoP', 'Content-Type', 'Accept', 'Mcp-Protocol-Version', 'Mcp-Method', 'Mcp-Name', 'Mcp-Session-Id', 'Last-Event-ID'],
    exposedHeaders: [...CORS_EXPOSED_HEADERS],
    maxAge: 600,
  };
}

/**
 * The CORS headers of an actual (non-preflight) request to /mcp, whose context the plugin's hook
 * stays out of: its generic per-request path (route options rebuilt twice, Vary parsing, header
 * joins) was ~10 µs of every tool call, mostly for server-side clients that send no Origin. Same answer as the plugin with a static origin list: the Origin is
 * echoed only when allow-listed (Fetch standard, CORS protocol), `Vary: Origin` always, so a
 * shared cache never serves one origin's answer to another. Preflights stay with the plugin.
 */
export function createCorsResponseHeaders(corsOrigins: readonly string[]) {
  const allowed = new Set(corsOrigins);
  const exposed = CORS_EXPOSED_HEADERS.join(', ');
  return (request: FastifyRequest, reply: FastifyReply): void => {
    reply.header('vary', 'Origin');
    const origin = request.headers.origin;
    if (origin === undefined || !allowed.has(origin)) return;
    reply.header('access-control-allow-origin', origin);
    reply.header('access-control-expose-headers', exposed);
  };
}
