// `pnpm start`: the whole stack in one process for a laptop — Postgres (embedded under .data/ when
// DATABASE_URL is unset), migrations, the optional admin seed, then the auth and MCP apps.
// Production runs each app on its own (apps/*/src/server.ts, docker-compose.yml); this stops the
// same way they do (packages/lifecycle): one drain for both apps on Ctrl-C or SIGTERM, a second
// Ctrl-C exits at once, and a crash is logged without secrets and stops the embedded Postgres.
import { createReadiness, developmentLogStream, installCrashHandlers, installShutdown, loadConfigOrExit, loadDotEnv, startOrExit, tuneHeapForServer } from '@omnichat/lifecycle';
import { buildAuthApp, loadAuthConfig } from '@omnichat/auth';
import { buildMcpApp, loadMcpConfig } from '@omnichat/mcp';
import { createPrismaClient, databaseStopSteps, migrate, resolveDatabase } from '@omnichat/db';
import { createAuthMetrics, createMcpMetrics, startMetricsServer, type MetricsSettings, type Registry } from '@omnichat/metrics';

// .env at the repository root fills in what the environment leaves unset.
loadDotEnv();

// Heap sizing for a long-running server (memory under sustained load).
tuneHeapForServer();

// Bad configuration stops here, before Postgres starts: one line per problem, exit 1.
const authConfig = loadConfigOrExit(loadAuthConfig, process.env);
const mcpConfig = loadConfigOrExit(loadMcpConfig, process.env);
const database = await resolveDatabase(process.env);
const prisma = createPrismaClient(database.url);
const stopSteps = databaseStopSteps(prisma, database);
const crash = installCrashHandlers({ steps: stopSteps, env: process.env, urls: [database.url] });
// One readiness for both apps: on a signal both /readyz fail at once, and both drain together.
const readiness = createReadiness();
const { auth, mcp } = await startOrExit(async () => {
  await migrate(database.url);
  const logStream = developmentLogStream(process.env);
  const metrics = { auth: createAuthMetrics(), mcp: createMcpMetrics() };
  const apps = {
    auth: await buildAuthApp(authConfig, { prisma, readiness, metrics: metrics.auth, ...(logStream ? { logStream } : {}) }),
    mcp: await buildMcpApp(mcpConfig, { prisma, readiness, metrics: metrics.mcp, ...(logStream ? { logStream } : {}) }),
  };
  // Each app's series on its own metrics port (AUTH_METRICS_PORT, MCP_METRICS_PORT), as in production.
  const serveMetrics = async (app: typeof apps.auth, registry: Registry, settings: MetricsSettings) => {
    if (!settings.enabled) return;
    const served = await startMetricsServer(registry, settings, app.log);
    app.addHook('onClose', async () => served.close());
  };
  await serveMetrics(apps.auth, metrics.auth.registry, authConfig.metrics);
  await serveMetrics(apps.mcp, metrics.mcp.registry, mcpConfig.metrics);
  await apps.auth.listen({ host: authConfig.host, port: authConfig.port });
  await apps.mcp.listen({ host: mcpConfig.host, port: mcpConfig.port });
  return apps;
}, stopSteps);
crash.useLogger(auth.log);
auth.log.info({ issuer: authConfig.issuer, resource: mcpConfig.resourceUrl }, 'OmniChat Auth is up');

installShutdown({
  readiness,
  // SHUTDOWN_* are read by both configurations from the same environment; the auth app's copy is used.
  settings: authConfig.shutdown,
  closeHttp: () => Promise.all([auth.close(), mcp.close()]),
  steps: stopSteps,
  force: () => database.stopNow(),
  log: auth.log,
});
