// Runs the MCP resource server alone (production: one process per app). The only module that
// reads the environment, listens and handles signals.
import { createPrismaClient, resolveDatabase } from '@omnichat/db';
import { createReadiness, installShutdown, loadConfigOrExit, tuneHeapForServer } from '@omnichat/lifecycle';

import { buildMcpApp } from './app.js';
import { loadMcpConfig } from './config.js';

// Heap sizing for a long-running server (memory under sustained load).
tuneHeapForServer();

// Bad configuration stops here, before any connection: one line per problem, exit 1.
const config = loadConfigOrExit(loadMcpConfig, process.env);
const database = await resolveDatabase(process.env);
const prisma = createPrismaClient(database.url);
const readiness = createReadiness();
const app = await buildMcpApp(config, { prisma, readiness });

await app.listen({ host: config.host, port: config.port });
app.log.info({ resource: config.resourceUrl, issuer: config.issuer, strict: config.requireAuth }, 'MCP server is up');

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
