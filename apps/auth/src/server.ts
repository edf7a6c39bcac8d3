// Runs the authorization server alone (production: one process per container). The only module
// that reads the environment, listens and handles signals.
import { createPrismaClient, databaseStopSteps, migrate, resolveDatabase } from '@omnichat/db';
import { createReadiness, installShutdown, loadConfigOrExit, serverLogDestination, loadDotEnv, startOrExit, tuneHeapForServer } from '@omnichat/lifecycle';

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
// written asynchronously and flushed on exit (packages/lifecycle/src/log-stream.ts).
const logStream = serverLogDestination(process.env);
const app = await startOrExit(async () => {
  // A no-op when current (docker compose runs a one-shot migrate first); serialised by a lock.
  await migrate(database.url);
  const built = await buildAuthApp(config, { prisma, readiness, logStream });
  await built.listen({ host: config.host, port: config.port });
  return built;
}, stopSteps);
app.log.info({ issuer: config.issuer }, 'auth server listening');

installShutdown({
  readiness,
  settings: config.shutdown,
  closeHttp: () => app.close(),
  steps: stopSteps,
  log: app.log,
});
