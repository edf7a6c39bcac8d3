import cors from '@fastify/cors';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { JWTVerifyGetKey } from 'jose';
import { sqlPool, type PrismaClient } from '@omnichat/db';
import { createMcpMetrics, instrumentHttp, registerPoolGauges, type McpMetrics } from '@omnichat/metrics';
import { AccessLogController, createReadiness, type Readiness } from '@omnichat/lifecycle';
import { createPostgresStore, type CounterStore } from '@omnichat/limits';
import { createToolAuditWriter, startToolAuditRetention, type ToolAuditWriterOptions } from '@omnichat/tool-audit';
import { createDpopAuthenticator } from './auth/dpop-authentication.js';
import { createDpopReplayGuard } from './auth/dpop-replay.js';
import { createPrismaGrantLookup } from './auth/grant-lookup.js';
import { createGrantStatus } from './auth/grant-status.js';
import { createResilientRemoteJwks } from './auth/resilient-jwks.js';
import { createRevokedKeys } from './auth/revoked-keys.js';
import { createAccessTokenVerifier, type AccessTokenVerifier } from './auth/verify-access-token.js';
import type { McpConfig } from './config.js';
import { installMcpDoctor } from './doctor/record-connection.js';
import { corsPluginOptions } from './http/cors-headers.js';
import { registerDocsRoute } from './http/docs-route.js';
import { registerErrorHandler } from './http/error-handler.js';
import { registerHealthRoutes } from './http/health-routes.js';
import { mcpRoutes } from './http/mcp-route.js';
import { registerProtectedResourceMetadata, resourceMetadataUrl } from './http/protected-resource-metadata.js';
import { createMcpServerFactory } from './mcp/create-mcp-server.js';
import { RequestScopedTransport } from './mcp/request-transport.js';
import { ModernRequestScopedTransport } from './seams/modern-request-transport.js';
import { TOOL_REGISTRY, toolRegistryByName, type ToolRegistration } from './tools/registry.js';

export type McpDeps = {
  prisma: PrismaClient;
  /**
   * Where verification keys come from: a local key set in tests; by default the auth app's JWKS
   * (JWKS_URL) through a stale-if-error remote key set.
   */
  getKey?: JWTVerifyGetKey;
  /** Milliseconds since the epoch, for token expiry; injectable so tests can move time. */
  now?: () => number;
  /** Verified-token cache bound (entries); 0 disables the cache. */
  tokenCacheEntries?: number;
  loggerInstance?: FastifyBaseLogger;
  /** Where the default logger writes (stdout unless given): readable lines in development. */
  logStream?: { write(line: string): void };
  tools?: readonly ToolRegistration[];
  /** Where DPoP proof `jti`s are remembered; the shared RateLimitCounter table unless given. */
  replayStore?: CounterStore;
  /** Flipped by src/server.ts on SIGTERM so /readyz fails before the listener closes. */
  readiness?: Readiness;
  /**
   * The app's Prometheus series; src/server.ts serves their registry on the metrics listener. Made
   * here when not given. Per-request HTTP timing is installed only when config.metrics is enabled.
   */
  metrics?: McpMetrics;
  /**
   * The tool-call audit's batching (tests shorten the interval); `false` turns the audit off, which
   * only the bench's audit-off twin does (bench/servers/mcp-app.ts): production always audits.
   */
  toolAudit?: (Partial<Pick<ToolAuditWriterOptions, 'flushIntervalMs' | 'batchRows' | 'maxQueuedRows'>> & { firstPruneDelayMs?: number }) | false;
};

declare module 'fastify' {
  interface FastifyInstance {
    /** Exposed for benchmarks and operational hooks (e.g. clearing the token cache). */
    tokenVerifier: AccessTokenVerifier;
  }
}

/** JSON-RPC bodies; a full file write (256 KiB of text, escaped) fits with room to spare. */
const BODY_LIMIT_BYTES = 1024 * 1024;

/**
 * Never log headers (Authorization, cookies) or query strings (a misplaced access_token), whichever
 * logger is used and whatever a handler logs under `req`, `res` or `headers` (docs/security.md
 * RS-20). Serializers rather than pino's `redact`: they run only on a line that has such a key,
 * where `redact` clones part of every line (about 2 % of a tool call's CPU here).
 */
const LOG_SERIALIZERS = {
  req: (request: { method: string; url: string }) => ({ method: request.method, url: request.url.split('?')[0] }),
  res: (reply: { statusCode: number }) => ({ statusCode: reply.statusCode }),
  headers: (headers: unknown) =>
    typeof headers === 'object' && headers !== null ? Object.fromEntries(Object.entries(headers).filter(([name]) => !CREDENTIAL_HEADERS.has(name.toLowerCase()))) : '[not logged]',
};
const CREDENTIAL_HEADERS = new Set(['authorization', 'cookie', 'set-cookie', 'dpop', 'proxy-authorization']);

/** Builds the MCP resource server. Never listens: src/server.ts (or a test) does. */
export async function buildMcpApp(config: McpConfig, deps: McpDeps): Promise<FastifyInstance> {
  const app = Fastify({
    bodyLimit: BODY_LIMIT_BYTES,
    logController: new AccessLogController(),
    ...(deps.loggerInstance
      ? { loggerInstance: deps.loggerInstance.child({}, { serializers: LOG_SERIALIZERS }) }
      : { logger: { level: config.logLevel, serializers: LOG_SERIALIZERS, ...(deps.logStream ? { stream: deps.logStream } : {}) } }),
  }) as unknown as FastifyInstance;

  const metrics = deps.metrics ?? createMcpMetrics();
  if (config.metrics.enabled) {
    instrumentHttp(app, metrics.registry);
    registerPoolGauges(metrics.registry, sqlPool(deps.prisma));
  }

  const metadataUrl = resourceMetadataUrl(config.resourceUrl);
  const registry = deps.tools ?? TOOL_REGISTRY;

  const doctor = installMcpDoctor(app, config, deps.prisma);
  registerErrorHandler(app, metadataUrl, doctor.refused);

  const getKey =
    deps.getKey ??
    createResilientRemoteJwks(new URL(config.jwksUrl), {
      onStale: (error) => app.log.warn({ err: error }, 'JWKS endpoint failed; verifying with the last good key set'),
      onFetchFailure: () => metrics.jwksFetchFailed(),
    });
  const now = deps.now ?? Date.now;
  // Revocation state comes from the shared Postgres, cached per grant (src/auth/grant-status.ts).
  const grants = createGrantStatus({
    lookup: createPrismaGrantLookup(deps.prisma, now),
    ttlMs: config.revocationCacheMs,
    now,
    onLookupError: (error) => app.log.warn({ err: error }, 'grant status lookup failed; using the last known status'),
  });
  // Revoked signing keys (`pnpm admin keys:revoke`), polled from the shared Postgres.
  const revokedKeys = createRevokedKeys({
    prisma: deps.prisma,
    pollMs: config.keyRevocationPollMs,
    onChange: (kids) => {
      verifier.cache.clear();
      app.log.warn({ revokedKids: [...kids] }, 'revoked signing keys changed: their tokens are refused, the verified-token cache is cleared');
    },
    onError: (error) => app.log.warn({ err: error }, 'revoked-key poll failed; keeping the last known set'),
  });
  app.addHook('onClose', async () => revokedKeys.stop());
  const verifier = createAccessTokenVerifier({
    issuer: config.issuer,
    audience: config.resourceUrl,
    algorithms: config.algorithms,
    getKey,
    grants,
    revokedKeys,
    ...(deps.now ? { now: deps.now } : {}),
    ...(deps.tokenCacheEntries !== undefined ? { cacheEntries: deps.tokenCacheEntries } : {}),
  });
  // The first read before serving; a database that is down now is retried by the poll.
  await revokedKeys.refresh().catch((error: unknown) => app.log.warn({ err: error }, 'revoked-key read failed; retrying on the next poll'));
  app.decorate('tokenVerifier', verifier);
  const dpop = createDpopAuthenticator({
    verifier,
    replay: createDpopReplayGuard(deps.replayStore ?? createPostgresStore(deps.prisma, now)),
    resourceUrl: config.resourceUrl,
    now,
  });

  // Every tools/call leaves a ToolCall row, queued here and written in batches off the request
  // path; what is still queued is written when the app closes (after in-flight requests end).
  const { firstPruneDelayMs, ...batching } = deps.toolAudit || {};
  const audit =
    deps.toolAudit === false
      ? undefined
      : createToolAuditWriter({
          prisma: deps.prisma,
          log: app.log,
          onDropped: (rows, reason) => metrics.toolAuditDropped(rows, reason),
          ...batching,
        });
  if (audit) {
    const retention = startToolAuditRetention({
      prisma: deps.prisma,
      retentionDays: config.toolAudit.retentionDays,
      log: app.log,
      now,
      ...(firstPruneDelayMs !== undefined ? { firstPassDelayMs: firstPruneDelayMs } : {}),
    });
    app.addHook('onClose', async () => {
      await retention.stop();
      await audit.close();
    });
  }

  // One long-lived SDK server per era, both from the same factory (same tools): 2025 traffic
  // behind a request-scoped transport, 2026-07-28 traffic behind the seam that binds its server
  // to that revision (src/seams/modern-request-transport.ts). Nothing is built per request.
  const newServer = createMcpServerFactory(registry, { prisma: deps.prisma, log: app.log, resourceMetadataUrl: metadataUrl, config, metrics, audit });
  const transport = new RequestScopedTransport();
  const modern = new ModernRequestScopedTransport();
  const servers = [newServer(), newServer()] as const;
  for (const server of servers) server.onerror = (error) => app.log.warn({ err: error }, 'MCP protocol error');
  await servers[0].connect(transport);
  await servers[1].connect(modern);
  app.addHook('onClose', async () => {
    await Promise.all(servers.map((server) => server.close()));
  });

  // @fastify/cors (preflights included) for everything but /mcp, whose routes add the same
  // response headers themselves (src/http/cors-headers.ts): the plugin's per-request hook was
  // ~10 µs of every tool call. Encapsulation keeps its hook out of the /mcp context.
  await app.register(async (site) => {
    await site.register(cors, corsPluginOptions(config.corsOrigins));
    registerProtectedResourceMetadata(site, config);
    registerHealthRoutes(site, { prisma: deps.prisma, readiness: deps.readiness ?? createReadiness(), jwksUrl: deps.getKey ? undefined : config.jwksUrl });
    registerDocsRoute(site, config.resourceName, registry);
  });
  await app.register(mcpRoutes, { config, verifier, dpop, transport, modern, tools: toolRegistryByName(registry), metrics, doctor, audit });
  return app;
}
