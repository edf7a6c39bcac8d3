import type { FastifyInstance, FastifyRequest } from 'fastify';
import {
  isJSONRPCNotification,
  isJSONRPCRequest,
  type InboundHttpRequest,
  type JSONRPCNotification,
  type JSONRPCRequest,
} from '@modelcontextprotocol/server';
import type { McpMetrics } from '@omnichat/metrics';
import { RESOURCE_SCOPES } from '@omnichat/scopes';
import { extractAccessToken, isDpopAuthorization } from '../auth/bearer-token.js';
import type { DpopAuthenticator } from '../auth/dpop-authentication.js';
import type { McpDoctor } from '../doctor/record-connection.js';
import { AuthenticationRequiredError, InvalidTokenError } from '../auth/errors.js';
import type { Principal } from '../auth/principal.js';
import type { AccessTokenVerifier } from '../auth/verify-access-token.js';
import type { McpConfig } from '../config.js';
import { MODERN_PROTOCOL_VERSION, SUPPORTED_PROTOCOL_VERSIONS } from '../mcp/create-mcp-server.js';
import { authInfoFor } from '../mcp/principal-info.js';
import { denialReason, startToolCallAudit, type ToolCallAuditSink } from '../mcp/tool-call-audit.js';
import type { RequestScopedTransport } from '../mcp/request-transport.js';
import { classifyRequest } from '../seams/classify-request.js';
import type { ModernRequestScopedTransport } from '../seams/modern-request-transport.js';
import { standardHeaderRefusal } from '../seams/standard-request-headers.js';
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
  /** 2025-11-25 / 2025-06-18 traffic: the one long-lived SDK server. */
  transport: RequestScopedTransport;
  /** 2026-07-28 traffic: the one long-lived SDK server bound to that revision (src/seams/). */
  modern: ModernRequestScopedTransport;
  tools: ReadonlyMap<string, ToolRegistration>;
  metrics?: Pick<McpMetrics, 'toolCall'> | undefined;
  /** The connection doctor: records the first accepted call of each grant. */
  doctor?: Pick<McpDoctor, 'accepted'> | undefined;
  /** Strict mode's scope refusals happen here, before the SDK: audited like the rest. */
  audit?: ToolCallAuditSink | undefined;
};

/**
 * The Streamable HTTP endpoint, stateless with JSON responses, for MCP 2026-07-28, 2025-11-25
 * and 2025-06-18 on one URL. POST carries one JSON-RPC message; the SDK's classifier decides its
 * era from the body (a `_meta` protocol-version claim means 2026-07-28, anything else is 2025
 * traffic) with the `MCP-Protocol-Version` header as a cross-check. GET (server-initiated stream)
 * and DELETE (session end) do not exist without sessions, hence 405 (2026-07-28 "Backward
 * Compatibility" asks the same). Authentication comes first and is the same for every revision.
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
      deps.doctor?.accepted(request);
    });

    authenticated.get(path, methodNotAllowed);
    authenticated.delete(path, methodNotAllowed);

    authenticated.post(path, async (request, reply) => {
      assertAcceptable(request);
      const { body } = request;
      // Batches were removed in MCP 2025-06-18 and are refused by 2026-07-28; the SDK still
      // accepts all-2025 batches, and one request per message keeps per-call scope checks simple
      // (docs/security.md RS-18, RS-19).
      if (Array.isArray(body)) throw new JsonRpcHttpError(400, -32600, 'Invalid Request: JSON-RPC batches are not supported');
      const authInfo = request.principal && request.bearerToken ? authInfoFor(request.bearerToken, request.principal) : undefined;
      const extra = authInfo ? { authInfo } : {};

      const headers = mcpHeaders(request);
      const route = classifyRequest(inboundOf(headers, body));
      if (route.kind === 'reject') {
        throw new JsonRpcHttpError(route.httpStatus, route.code, route.message, {}, route.data, echoableId(body));
      }
      if (route.kind === 'modern') {
        // 2026-07-28 defines no client notification over Streamable HTTP: accepted, dropped.
        if (route.messageKind === 'notification') return reply.code(202).send();
        const rpc = route.message;
        // An envelope naming another revision: the error lists what server/discover advertises
        // (2026-07-28; the 2025 revisions are reached through initialize, not the envelope).
        const revision = route.classification.revision ?? 'unknown';
        if (revision !== MODERN_PROTOCOL_VERSION) {
          throw new JsonRpcHttpError(400, -32022, `Unsupported protocol version: ${revision}`, {}, { supported: [MODERN_PROTOCOL_VERSION], requested: revision }, rpc.id);
        }
        const refusal = standardHeaderRefusal(headers, rpc);
        if (refusal) throw new JsonRpcHttpError(400, refusal.code, refusal.message, {}, refusal.data, rpc.id);
        assertToolScopes(rpc);
        const { reply: answer, refusedAtDispatch } = await deps.modern.dispatch(rpc, extra);
        const status = refusedAtDispatch && 'error' in answer ? (DISPATCH_REFUSAL_STATUS[answer.error.code] ?? 200) : 200;
        return reply.code(status).type('application/json').send(answer);
      }
      // 2025 traffic, to the long-lived server.
      if (route.reason === 'response') return reply.code(202).send(); // answers requests this server never sends
      if (route.reason === 'notification') {
        if (!isJSONRPCNotification(body)) throw new JsonRpcHttpError(400, -32600, 'Invalid Request: not a JSON-RPC 2.0 message');
        if (isSupportedLegacyHeader(route.requestedVersion)) deps.transport.notify(body as JSONRPCNotification, extra);
        return reply.code(202).send();
      }
      const rpc = body as JSONRPCRequest;
      // initialize negotiates its version in the body; every later request names it in the header.
      if (route.reason !== 'initialize' && !isSupportedLegacyHeader(route.requestedVersion)) {
        throw unsupportedVersion(route.requestedVersion ?? 'unknown', rpc.id);
      }
      assertToolScopes(rpc);
      const response = await deps.transport.dispatch(rpc, extra);
      return reply.type('application/json').send(response);

      /** Strict mode answers a missing scope at the HTTP layer: 403 insufficient_scope (RFC 6750 §3.1). */
      function assertToolScopes(message: JSONRPCRequest): void {
        if (!config.requireAuth || message.method !== 'tools/call') return;
        const entry = deps.tools.get(String(message.params?.['name']));
        const denied = entry ? checkToolAccess(entry.access, request.principal) : null;
        if (entry && denied) {
          deps.metrics?.toolCall(entry.tool.name, 'denied');
          startToolCallAudit(deps.audit, request.principal, entry.tool.name, true).denied(denialReason(denied));
          throw denied;
        }
      }
    });
  });
}

/**
 * MCP 2026-07-28: the HTTP status of a request the SDK refused before any handler ran (its
 * ladder table, LADDER_ERROR_HTTP_STATUS); a handler's own errors stay in-band on 200.
 */
const DISPATCH_REFUSAL_STATUS: Readonly<Record<number, number>> = { [-32700]: 400, [-32600]: 400, [-32601]: 404, [-32022]: 400, [-32021]: 400, [-32020]: 400 };

const LEGACY_VERSIONS: readonly string[] = SUPPORTED_PROTOCOL_VERSIONS.filter((version) => version !== MODERN_PROTOCOL_VERSION);

/** No header is a pre-2025-06-18 client, which the 2025 revisions let us take as 2025-03-26-compatible. */
function isSupportedLegacyHeader(version: string | undefined): boolean {
  return version === undefined || LEGACY_VERSIONS.includes(version);
}

/**
 * MCP 2026-07-28 "Protocol Version Negotiation", for a 2025-style request whose header names a
 * version we do not serve: 400 UnsupportedProtocolVersionError listing every version this
 * endpoint serves (initialize reaches the 2025 ones, the `_meta` envelope 2026-07-28).
 */
function unsupportedVersion(requested: string, id: string | number | null): JsonRpcHttpError {
  return new JsonRpcHttpError(400, -32022, `Unsupported protocol version: ${requested}`, {}, { supported: [...SUPPORTED_PROTOCOL_VERSIONS], requested }, id);
}

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

type McpHeaders = { protocolVersion: string | undefined; method: string | undefined; name: string | undefined };

/** The three MCP request headers, read once: the classifier and the 2026 header checks both use them. */
function mcpHeaders(request: FastifyRequest): McpHeaders {
  return { protocolVersion: header(request, 'mcp-protocol-version'), method: header(request, 'mcp-method'), name: header(request, 'mcp-name') };
}

function inboundOf(headers: McpHeaders, body: unknown): InboundHttpRequest {
  return {
    httpMethod: 'POST',
    body,
    ...(headers.protocolVersion !== undefined ? { protocolVersionHeader: headers.protocolVersion } : {}),
    ...(headers.method !== undefined ? { mcpMethodHeader: headers.method } : {}),
    ...(headers.name !== undefined ? { mcpNameHeader: headers.name } : {}),
  };
}

function echoableId(body: unknown): string | number | null {
  if (!isJSONRPCRequest(body)) return null;
  return body.id;
}

function assertAcceptable(request: FastifyRequest): void {
  // Streamable HTTP: the client MUST accept both; the SDK's transport answers 406 otherwise.
  const accept = request.headers.accept ?? '';
  if (!accept.includes('application/json') || !accept.includes('text/event-stream')) {
    throw new JsonRpcHttpError(406, -32000, 'Not Acceptable: Client must accept both application/json and text/event-stream');
  }
}
