// Runs the authorization server alone (production: one process per container). The only module
// that reads the environment, listens and handles signals.
import { createPrismaClient, migrate, resolveDatabase } from '@omnichat/db';

import { buildAuthApp } from './app.js';
import { loadAuthConfig } from './config.js';

const config = loadAuthConfig(process.env);
const database = await resolveDatabase(process.env);
await migrate(database.url);
const prisma = createPrismaClient(database.url);
const app = await buildAuthApp(config, { prisma });
await app.listen({ host: config.host, port: config.port });
app.log.info({ issuer: config.issuer }, 'auth server listening');

let stopping = false;
async function stop(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  app.log.info({ signal }, 'shutting down');
  await app.close();
  await prisma.$disconnect();
  await database.stop();
  process.exit(0);
}
process.on('SIGTERM', () => void stop('SIGTERM'));
process.on('SIGINT', () => void stop('SIGINT'));
