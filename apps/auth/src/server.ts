// Runs the authorization server alone (production: one process per container). The only module
// that reads the environment, listens and handles signals.
import { createPrismaClient, databaseStopSteps, migrate, resolveDatabase } from '@omnichat/db';
import { createAuthMetrics, startMetricsServer } from '@omnichat/metrics';
import { createReadiness, installCrashHandlers, installShutdown, loadConfigOrExit, serverLogDestination, loadDotEnv, startOrExit, tuneHeapForServer } from '@omnichat/lifecycle';

import { buildAuthApp } from './app.js';
import { loadAuthConfig } from './config.js';

// .env at the repository root fills in what the environment leaves unset.
loadDotEnv();

// Heap sizing for a long-running server (memory under sustained load).
tuneHeapForServer();

// Bad configuration stops here, before any connection: one line per problem, exit 1.
const config = loadConfigOrExit(loadAuthConfig, process.env);
const database = await resolveDatabase(process.env);
const prisma = createPrismaClient(database.url);
const readiness = createReadiness();
const stopSteps = databaseStopSteps(prisma, database);
// Readable lines at a terminal in development; JSON otherwise (production, containers, files),
// written asynchronously, every line out before the process exits (packages/lifecycle/src/log-stream.ts).
const logs = serverLogDestination(process.env);
// From here on an uncaught exception or unhandled rejection is logged without secrets, stops the
// embedded Postgres and exits 1 (packages/lifecycle/src/crash.ts).
const crash = installCrashHandlers({ steps: stopSteps, env: process.env, urls: [database.url], exit: (code) => logs.exit(code) });
const metrics = createAuthMetrics();
const app = await startOrExit(async () => {
  // A no-op when current (docker compose runs a one-shot migrate first); serialised by a lock.
  await migrate(database.url);
  const built = await buildAuthApp(config, { prisma, readiness, metrics, logStream: logs.stream });
  // Metrics first: a taken metrics port stops the boot before the public port opens.
  if (config.metrics.enabled) {
    const served = await startMetricsServer(metrics.registry, config.metrics, built.log);
    built.addHook('onClose', async () => served.close());
    built.log.info({ metrics: served.url }, 'metrics listening');
  }
  await built.listen({ host: config.host, port: config.port });
  return built;
}, stopSteps);
crash.useLogger(app.log);
app.log.info({ issuer: config.issuer }, 'auth server listening');

installShutdown({
  readiness,
  settings: config.shutdown,
  closeHttp: () => app.close(),
  steps: stopSteps,
  force: () => database.stopNow(),
  log: app.log,
  exit: (code) => logs.exit(code),
});
