// Runs the MCP resource server alone (production: one process per app). The only module that
// reads the environment.
import { createPrismaClient, resolveDatabase } from '@omnichat/db';
import { buildMcpApp } from './app.js';
import { loadMcpConfig } from './config.js';

const config = loadMcpConfig(process.env);
const database = await resolveDatabase(process.env);
const prisma = createPrismaClient(database.url);
const app = await buildMcpApp(config, { prisma });

await app.listen({ host: config.host, port: config.port });
app.log.info({ resource: config.resourceUrl, issuer: config.issuer, strict: config.requireAuth }, 'MCP server is up');

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
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));
