import type { FastifyInstance } from 'fastify';
import type { JWTVerifyGetKey } from 'jose';
import { createPrismaClient, type PrismaClient } from '@omnichat/db';
import type { McpMetrics } from '@omnichat/metrics';
import { buildMcpApp, loadMcpConfig, type McpConfig, type McpDeps } from '../../src/index.js';
import type { ToolRegistration } from '../../src/tools/registry.js';
import { freePort } from '@omnichat/testkit';

export type StartMcpServerOptions = {
  databaseUrl: string;
  issuer: string;
  /** Defaults to http://127.0.0.1:<free port>/mcp; its port is where the server listens. */
  resourceUrl?: string;
  /** The auth app's JWKS; ignored when `getKey` is given. */
  jwksUrl?: string;
  getKey?: JWTVerifyGetKey;
  /** MCP_REQUIRE_AUTH; omitted = unset, the default (strict). */
  requireAuth?: boolean;
  corsOrigins?: string[];
  now?: () => number;
  tokenCacheEntries?: number;
  /** REVOCATION_CACHE_MS */
  revocationCacheMs?: number;
  /** The app's series (a test scrapes their registry); made by the app when absent. */
  metrics?: McpMetrics;
  /** Any other setting, as the environment would give it (KEY_ENCRYPTION_SECRET, KEY_REVOCATION_POLL_SECONDS...). */
  env?: Record<string, string>;
  /** Another tool table than the app's own. */
  tools?: readonly ToolRegistration[];
  /** The tool-call audit's batching (a test shortens or stretches the interval). */
  toolAudit?: McpDeps['toolAudit'];
};

export type RunningMcpServer = {
  /** The MCP endpoint (RESOURCE_URL). */
  url: string;
  /** http://127.0.0.1:<port> */
  origin: string;
  config: McpConfig;
  app: FastifyInstance;
  prisma: PrismaClient;
  close(): Promise<void>;
};

/** Builds the MCP app from env-shaped settings, as src/server.ts does, and listens on loopback. */
export async function startMcpServer(options: StartMcpServerOptions): Promise<RunningMcpServer> {
  const resourceUrl = options.resourceUrl ?? `http://127.0.0.1:${await freePort()}/mcp`;
  const config = loadMcpConfig({
    ISSUER: options.issuer,
    RESOURCE_URL: resourceUrl,
    ...(options.jwksUrl ? { JWKS_URL: options.jwksUrl } : {}),
    ...(options.requireAuth !== undefined ? { MCP_REQUIRE_AUTH: String(options.requireAuth) } : {}),
    ...(options.corsOrigins ? { CORS_ORIGINS: options.corsOrigins.join(',') } : {}),
    ...(options.revocationCacheMs !== undefined ? { REVOCATION_CACHE_MS: String(options.revocationCacheMs) } : {}),
    LOG_LEVEL: process.env['TEST_LOG_LEVEL'] ?? 'silent',
    ...options.env,
  });
  const prisma = createPrismaClient(options.databaseUrl);
  const app = await buildMcpApp(config, {
    prisma,
    ...(options.getKey ? { getKey: options.getKey } : {}),
    ...(options.now ? { now: options.now } : {}),
    ...(options.tokenCacheEntries !== undefined ? { tokenCacheEntries: options.tokenCacheEntries } : {}),
    ...(options.metrics ? { metrics: options.metrics } : {}),
    ...(options.tools ? { tools: options.tools } : {}),
    ...(options.toolAudit !== undefined ? { toolAudit: options.toolAudit } : {}),
  });
  const url = new URL(resourceUrl);
  await app.listen({ host: url.hostname, port: Number(url.port) });
  return {
    url: resourceUrl,
    origin: url.origin,
    config,
    app,
    prisma,
    async close() {
      await app.close();
      await prisma.$disconnect();
    },
  };
}
