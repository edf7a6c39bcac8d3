// Runs the authorization server alone (production: one process per container). The only module
// that reads the environment, listens and handles signals.
import { createPrismaClient, migrate, resolveDatabase } from '@omnichat/db';
import { createReadiness, installShutdown, loadConfigOrExit, tuneHeapForServer } from '@omnichat/lifecycle';

import { buildAuthApp } from './app.js';
import { loadAuthConfig } from './config.js';

// Heap sizing for a long-running server (memory under sustained load).
tuneHeapForServer();

// Bad configuration stops here, before any connection: one line per problem, exit 1.
const config = loadConfigOrExit(loadAuthConfig, process.env);
const database = await resolveDatabase(process.env);
// A no-op when current (docker compose runs a one-shot migrate first); serialised by a lock.
await migrate(database.url);
const prisma = createPrismaClient(database.url);
const readiness = createReadiness();
const app = await buildAuthApp(config, { prisma, readiness });
await app.listen({ host: config.host, port: config.port });
app.log.info({ issuer: config.issuer }, 'auth server listening');

installShutdown({
  readiness,
  settings: config.shutdown,
  closeHttp: () => app.close(),
  steps: [
    { name: 'database pool', run: () => prisma.$disconnect() },
    { name: 'embedded postgres', run: () => database.stop() },
  ],
  log: app.log,
});
