import type { FastifyInstance, FastifyRequest } from 'fastify';
import {
  isInitializeRequest,
  isJSONRPCNotification,
  isJSONRPCRequest,
  JSONRPCMessageSchema,
  SUPPORTED_PROTOCOL_VERSIONS,
  type JSONRPCNotification,
  type JSONRPCRequest,
} from '@modelcontextprotocol/sdk/types.js';
import type { McpMetrics } from '@omnichat/metrics';
import { RESOURCE_SCOPES } from '@omnichat/scopes';
import { extractAccessToken, isDpopAuthorization } from '../auth/bearer-token.js';
import type { DpopAuthenticator } from '../auth/dpop-authentication.js';
import { AuthenticationRequiredError, InvalidTokenError } from '../auth/errors.js';
import type { Principal } from '../auth/principal.js';
import type { AccessTokenVerifier } from '../auth/verify-access-token.js';
import type { McpConfig } from '../config.js';
import { authInfoFor } from '../mcp/principal-info.js';
import type { RequestScopedTransport } from '../mcp/request-transport.js';
import { checkToolAccess } from '../tools/security-schemes.js';
import type { ToolRegistration } from '../tools/registry.js';
import { createCorsResponseHeaders } from './cors-headers.js';
import { JsonRpcHttpError } from './json-rpc-http-error.js';
import { checkRequestOrigin } from './request-origin.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The verified caller of /mcp, or null for an anonymous call in mixed mode. */
    principal: Principal | null;
    bearerToken: string | null;
  }
}

/** Strict mode refuses the connection itself (initialize, tools/list, GET), not one tool. */
export const SIGN_IN_TO_CONNECT = 'Sign in to connect to this server';

export type McpRouteDeps = {
  config: McpConfig;
  verifier: AccessTokenVerifier;
  dpop: DpopAuthenticator;
  transport: RequestScopedTransport;
  tools: ReadonlyMap<string, ToolRegistration>;
  metrics?: Pick<McpMetrics, 'toolCall'> | undefined;
};

/**
 * The Streamable HTTP endpoint, stateless with JSON responses (MCP 2025-11-25 "Transports"):
 * POST carries one JSON-RPC message; GET (server-initiated stream) and DELETE (session end) do
 * not exist without sessions, hence 405.
 */
export async function mcpRoutes(app: FastifyInstance, deps: McpRouteDeps): Promise<void> {
  const { config } = deps;
  const path = new URL(config.resourceUrl).pathname;
  const allowed = { hosts: config.allowedHosts, origins: config.allowedOrigins };
  const corsResponseHeaders = createCorsResponseHeaders(config.corsOrigins);

  // JSON only: Fastify's default text/plain parser would hand strings to the JSON-RPC layer
  // (Streamable HTTP: POST bodies are application/json; anything else is 415).
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, app.getDefaultJsonParser('error', 'error'));

  // DNS-rebinding defence first on every route of this context, folded into the authenticate
  // hook rather than a hook of its own: every hook is a promise and a trip through Fastify's
  // hook runner on the hot path.
  const assertAllowedOrigin = (request: FastifyRequest): void => {
    const refusal = checkRequestOrigin(request.headers, allowed);
    if (refusal) throw new JsonRpcHttpError(403, -32000, `Forbidden: ${refusal}`);
  };

  const methodNotAllowed = async () => {
    throw new JsonRpcHttpError(405, -32000, 'Method not allowed: this stateless server accepts POST only', { allow: 'POST' });
  };

  // Everything on /mcp sits behind the authenticate hook of this encapsulated context. GET and
  // DELETE too: in strict mode an anonymous GET is a 401 with the challenge, not a 405, since
  // clients (Claude Desktop) took a 405 there to mean "no sign-in needed".
  await app.register(async (authenticated) => {
    authenticated.decorateRequest('principal', null);
    authenticated.decorateRequest('bearerToken', null);
    authenticated.addHook('onRequest', async (request, reply) => {
      // Before anything can refuse: a browser must be able to read a 401's challenge.
      corsResponseHeaders(request, reply);
      assertAllowedOrigin(request);
      const { authorization } = request.headers;
      const token = extractAccessToken(authorization, request.query as Record<string, unknown>);
      if (token === null) {
        if (config.requireAuth) throw new AuthenticationRequiredError(RESOURCE_SCOPES, SIGN_IN_TO_CONNECT);
        return;
      }
      if (isDpopAuthorization(authorization as string)) {
        request.principal = await deps.dpop.authenticate(token, request.headers.dpop, request.method);
      } else {
        const principal = await deps.verifier.verify(token);
        // RFC 9449 §7.1: a DPoP-bound token is no bearer token.
        if (principal.boundThumbprint !== undefined) throw new InvalidTokenError('sender_constrained');
        request.principal = principal;
      }
      request.bearerToken = token;
    });

    authenticated.get(path, methodNotAllowed);
    authenticated.delete(path, methodNotAllowed);

    authenticated.post(path, async (request, reply) => {
      assertAcceptable(request);
      const message = parseSingleMessage(request.body);
      const extra = request.principal && request.bearerToken
        ? { authInfo: authInfoFor(request.bearerToken, request.principal) }
        : {};

      if (message.kind !== 'request') {
        if (message.kind === 'notification') deps.transport.notify(message.notification, extra);
        // Responses from the client answer requests this server never sends: accepted, ignored.
        return reply.code(202).send();
      }
      const { request: rpc } = message;
      // Method first: a failed zod parse builds an issue list, and every tools/call would pay for it.
      if (!(rpc.method === 'initialize' && isInitializeRequest(rpc))) assertProtocolVersion(request);
      if (config.requireAuth && rpc.method === 'tools/call') {
        // Strict mode answers a missing scope at the HTTP layer: 403 insufficient_scope (RFC 6750 §3.1).
        const entry = deps.tools.get(String(rpc.params?.['name']));
        const denied = entry ? checkToolAccess(entry.access, request.principal) : null;
        if (entry && denied) {
          deps.metrics?.toolCall(entry.tool.name, 'denied');
          throw denied;
        }
      }
      const response = await deps.transport.dispatch(rpc, extra);
      return reply.type('application/json').send(response);
    });
  });
}

function assertAcceptable(request: FastifyRequest): void {
  // Streamable HTTP: the client MUST accept both; the SDK's transport answers 406 otherwise.
  const accept = request.headers.accept ?? '';
  if (!accept.includes('application/json') || !accept.includes('text/event-stream')) {
    throw new JsonRpcHttpError(406, -32000, 'Not Acceptable: Client must accept both application/json and text/event-stream');
  }
}

function assertProtocolVersion(request: FastifyRequest): void {
  const version = request.headers['mcp-protocol-version'];
  if (version !== undefined && (typeof version !== 'string' || !SUPPORTED_PROTOCOL_VERSIONS.includes(version))) {
    throw new JsonRpcHttpError(
      400,
      -32000,
      `Bad Request: Unsupported protocol version (supported versions: ${SUPPORTED_PROTOCOL_VERSIONS.join(', ')})`,
    );
  }
}

type ParsedMessage =
  | { kind: 'request'; request: JSONRPCRequest }
  | { kind: 'notification'; notification: JSONRPCNotification }
  | { kind: 'response' };

function parseSingleMessage(body: unknown): ParsedMessage {
  // Batches were removed in MCP 2025-06-18; the SDK still accepts them, and one request per
  // message keeps per-call scope checks simple (docs/security.md RS-18, RS-19).
  if (Array.isArray(body)) throw new JsonRpcHttpError(400, -32600, 'Invalid Request: JSON-RPC batches are not supported');
  // Requests are nearly all the traffic: the SDK's own request guard alone (the first member of
  // JSONRPCMessageSchema, strict, so the body IS the parsed value) instead of the whole union
  // parse followed by the same guard again.
  if (isJSONRPCRequest(body)) return { kind: 'request', request: body };
  const parsed = JSONRPCMessageSchema.safeParse(body);
  if (!parsed.success) throw new JsonRpcHttpError(400, -32600, 'Invalid Request: not a JSON-RPC 2.0 message');
  return isJSONRPCNotification(parsed.data) ? { kind: 'notification', notification: parsed.data } : { kind: 'response' };
}
