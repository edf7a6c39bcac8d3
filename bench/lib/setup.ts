// Everything a run needs before the first figure: database, users, servers, a real token.
import { createPrismaClient, hashPassword, type PrismaClient } from '@omnichat/db';
import { BENCH_FILE_PATH } from './context.js';
import type { BenchDatabase } from './database.js';
import type { FlowUser } from './oauth-flow.js';
import { bundleServers, freePort, startServer, type Pinning, type ServerHandle } from './processes.js';

/** Bench-only secret for the signing keys of a throwaway database. */
const BENCH_KEY_ENCRYPTION_SECRET = 'bench-only-key-encryption-secret-0123456789';
const BENCH_PASSWORD = 'bench-password-correct-horse';

export type Servers = {
  auth: ServerHandle;
  authMemory: ServerHandle;
  /** Our MCP app as production runs it: metrics on. */
  mcp: ServerHandle;
  /** Its scrape URL, to check the load was counted. */
  mcpMetricsUrl: string;
  /** The same app with MCP_METRICS_PORT=0: the other side of mcp.metrics.cost. */
  mcpMetricsOff: ServerHandle;
  bareFastify: ServerHandle;
  sdkStateless: ServerHandle;
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
  // Production defaults except: warn-level logs (info logs a line per request; no server in
  // this comparison logs per request) and hour-long access tokens (a run outlasts the default 10 min).
  const common = { DATABASE_URL: database.url, LOG_LEVEL: 'warn', RESOURCE_URL: resourceUrl };
  // Abuse limits stay on (their counters cost what they cost) but high enough that a bench
  // registering hundreds of clients from one address is never refused.
  const limits = {
    LIMIT_REGISTER_PER_IP: '1000000/600',
    LIMIT_REGISTER_PER_CALLER: '1000000/600',
    LIMIT_REGISTER_GLOBAL: '1000000/3600',
    LIMIT_TOKEN_PER_CLIENT: '100000000/60',
  };
  const authEnv = { ...common, ...limits, KEY_ENCRYPTION_SECRET: BENCH_KEY_ENCRYPTION_SECRET, ACCESS_TOKEN_TTL_SECONDS: '3600' };
  // Metrics on, as in production, each app on a free metrics port of its own (never the defaults,
  // which another process on this machine may hold).
  const metricsPorts = { auth: await freePort(), authMemory: await freePort(), mcp: await freePort() };
  const metricsEnv = (port: number) => ({ METRICS_HOST: '127.0.0.1', AUTH_METRICS_PORT: String(port), MCP_METRICS_PORT: String(port) });
  // The first auth app creates the signing key both share.
  const auth = await startServer(pinning, 'auth', 'auth-app', { ...authEnv, ...metricsEnv(metricsPorts.auth), BENCH_ADAPTER: 'prisma' });
  const mcpOffPort = await freePort();
  const [authMemory, mcp, mcpMetricsOff, bareFastify, sdkStateless] = await Promise.all([
    startServer(pinning, 'auth-memory', 'auth-app', { ...authEnv, ...metricsEnv(metricsPorts.authMemory), BENCH_ADAPTER: 'memory' }),
    startServer(pinning, 'mcp', 'mcp-app', { ...common, ...metricsEnv(metricsPorts.mcp), ISSUER: auth.url }, mcpPort),
    // Same RESOURCE_URL (the token's audience), so its own port is an extra allowed Host.
    startServer(pinning, 'mcp-metrics-off', 'mcp-app', { ...common, MCP_METRICS_PORT: '0', MCP_ALLOWED_HOSTS: `127.0.0.1:${mcpOffPort}`, ISSUER: auth.url }, mcpOffPort),
    startServer(pinning, 'baseline-a-fastify', 'fastify-bare', {}),
    startServer(pinning, 'baseline-b-sdk', 'sdk-stateless', { ...common, ISSUER: auth.url }, undefined),
  ]);
  return {
    auth,
    authMemory,
    mcp,
    mcpMetricsUrl: `http://127.0.0.1:${metricsPorts.mcp}/metrics`,
    mcpMetricsOff,
    bareFastify,
    sdkStateless,
    resourceUrl,
    all: [auth, authMemory, mcp, mcpMetricsOff, bareFastify, sdkStateless],
  };
}

/** The runner's own client: generating a million rows in one statement outlasts the apps' 10 s bound. */
export function benchPrisma(database: BenchDatabase): PrismaClient {
  return createPrismaClient(database.url, { statementTimeoutMs: 10 * 60_000 });
}
