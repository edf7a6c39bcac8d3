// Everything a run needs before the first figure: database, users, servers, a real token.
import { createPrismaClient, hashPassword, type PrismaClient } from '@omnichat/db';
import { BENCH_FILE_PATH } from './context.js';
import type { BenchDatabase } from './database.js';
import type { FlowUser } from './oauth-flow.js';
import { freePort } from '@omnichat/testkit';
import { bundleServers, startServer, type Pinning, type ServerHandle } from './processes.js';

/** Bench-only secret for the signing keys of a throwaway database. */
const BENCH_KEY_ENCRYPTION_SECRET = 'bench-only-key-encryption-secret-0123456789';
const BENCH_PASSWORD = 'bench-password-correct-horse';

export type Servers = {
  auth: ServerHandle;
  authMemory: ServerHandle;
  mcp: ServerHandle;
  bareFastify: ServerHandle;
  sdkStateless: ServerHandle;
  /** Baseline (d): the SDK v2's minimal documented pattern. */
  sdkMinimal: ServerHandle;
  /** Ours at LOG_LEVEL=warn: what the access log costs. */
  mcpQuiet: ServerHandle;
  /** Ours with MCP_METRICS_PORT=0: what the Prometheus metrics cost (issue 17, bar ≤ 5 %). */
  mcpNoMetrics: ServerHandle;
  /** Ours with the tool-call audit off (BENCH_TOOL_AUDIT=off): what the audit costs (issue 20, bar ≤ 5 %). */
  mcpNoAudit: ServerHandle;
  resourceUrl: string;
  all: ServerHandle[];
};

/** Users sharing one argon2id hash (hashing is what login measures, not what setup should cost). */
export async function createUsers(prisma: PrismaClient, count: number): Promise<FlowUser[]> {
  const passwordHash = await hashPassword(BENCH_PASSWORD);
  const emails = Array.from({ length: count }, (_, i) => `bench-${i}@bench.test`);
  await prisma.user.createMany({ data: emails.map((email) => ({ email, passwordHash })) });
  const first = await prisma.user.findUniqueOrThrow({ where: { email: emails[0] } });
  const content = 'bench file: the content private_files_read returns on every call.';
  await prisma.file.create({ data: { userId: first.id, path: BENCH_FILE_PATH, content, sizeBytes: Buffer.byteLength(content) } });
  return emails.map((email) => ({ email, password: BENCH_PASSWORD }));
}

export async function startServers(pinning: Pinning, database: BenchDatabase): Promise<Servers> {
  await bundleServers();
  const mcpPort = await freePort();
  const resourceUrl = `http://127.0.0.1:${mcpPort}/mcp`;
  // Production defaults except hour-long access tokens (a run outlasts the default 10 min). Our
  // MCP server runs at the default LOG_LEVEL=info, its access line per request written to a
  // pipe as in a container; the auth apps and baselines at warn (they are not what is measured
  // at production defaults), plus a second MCP server at warn for the access log's cost.
  const common = { DATABASE_URL: database.url, LOG_LEVEL: 'warn', RESOURCE_URL: resourceUrl };
  const quietPort = await freePort();
  const noMetricsPort = await freePort();
  const noAuditPort = await freePort();
  // Abuse limits stay on (their counters cost what they cost) but high enough that a bench
  // registering hundreds of clients from one address is never refused.
  const limits = {
    LIMIT_REGISTER_PER_IP: '1000000/600',
    LIMIT_REGISTER_PER_CALLER: '1000000/600',
    LIMIT_REGISTER_GLOBAL: '1000000/3600',
    LIMIT_TOKEN_PER_CLIENT: '100000000/60',
  };
  const authEnv = { ...common, ...limits, KEY_ENCRYPTION_SECRET: BENCH_KEY_ENCRYPTION_SECRET, ACCESS_TOKEN_TTL_SECONDS: '3600' };
  // Metrics on, as in production (the default), each app's listener on a free port of its own.
  const metricsOn = async (variable: 'AUTH_METRICS_PORT' | 'MCP_METRICS_PORT') => ({ METRICS_HOST: '127.0.0.1', [variable]: String(await freePort()) });
  // The first auth app creates the signing key both share.
  const auth = await startServer(pinning, 'auth', 'auth-app', { ...authEnv, ...(await metricsOn('AUTH_METRICS_PORT')), BENCH_ADAPTER: 'prisma' });
  const [authMemoryMetrics, mcpMetrics, quietMetrics, noAuditMetrics] = [await metricsOn('AUTH_METRICS_PORT'), await metricsOn('MCP_METRICS_PORT'), await metricsOn('MCP_METRICS_PORT'), await metricsOn('MCP_METRICS_PORT')];
  const [authMemory, mcp, mcpQuiet, mcpNoMetrics, mcpNoAudit, bareFastify, sdkStateless, sdkMinimal] = await Promise.all([
    startServer(pinning, 'auth-memory', 'auth-app', { ...authEnv, ...authMemoryMetrics, BENCH_ADAPTER: 'memory' }),
    startServer(pinning, 'mcp', 'mcp-app', { ...common, ...mcpMetrics, LOG_LEVEL: 'info', ISSUER: auth.url }, mcpPort, 'pipe'),
    // Same audience as `mcp` (tokens are for resourceUrl); its own port, as a second replica.
    startServer(pinning, 'mcp-warn', 'mcp-app', { ...common, ...quietMetrics, ISSUER: auth.url, MCP_ALLOWED_HOSTS: `127.0.0.1:${quietPort}` }, quietPort, 'pipe'),
    // Same as `mcp` (info, access log to a pipe) but with metrics off.
    startServer(pinning, 'mcp-metrics-off', 'mcp-app', { ...common, LOG_LEVEL: 'info', MCP_METRICS_PORT: '0', ISSUER: auth.url, MCP_ALLOWED_HOSTS: `127.0.0.1:${noMetricsPort}` }, noMetricsPort, 'pipe'),
    // Same as `mcp` (info, metrics on, access log to a pipe) but with the tool-call audit off.
    startServer(pinning, 'mcp-audit-off', 'mcp-app', { ...common, ...noAuditMetrics, LOG_LEVEL: 'info', BENCH_TOOL_AUDIT: 'off', ISSUER: auth.url, MCP_ALLOWED_HOSTS: `127.0.0.1:${noAuditPort}` }, noAuditPort, 'pipe'),
    startServer(pinning, 'baseline-a-fastify', 'fastify-bare', {}),
    startServer(pinning, 'baseline-b-sdk', 'sdk-stateless', { ...common, ISSUER: auth.url }, undefined),
    startServer(pinning, 'baseline-d-sdk-minimal', 'sdk-minimal', { ...common, ISSUER: auth.url }, undefined),
  ]);
  return {
    auth, authMemory, mcp, mcpQuiet, mcpNoMetrics, mcpNoAudit, bareFastify, sdkStateless, sdkMinimal, resourceUrl,
    all: [auth, authMemory, mcp, mcpQuiet, mcpNoMetrics, mcpNoAudit, bareFastify, sdkStateless, sdkMinimal],
  };
}

/** The runner's own client: generating a million rows in one statement outlasts the apps' 10 s bound. */
export function benchPrisma(database: BenchDatabase): PrismaClient {
  return createPrismaClient(database.url, { statementTimeoutMs: 10 * 60_000 });
}
