// `pnpm start`: the whole stack in one process for a laptop — Postgres (embedded under .data/ when
// DATABASE_URL is unset), migrations, the optional admin seed, then the auth and MCP apps.
// Production runs each app on its own (apps/*/src/server.ts, docker-compose.yml).
import { tuneHeapForServer } from '@omnichat/lifecycle';
import { buildAuthApp, loadAuthConfig } from '@omnichat/auth';
import { buildMcpApp, loadMcpConfig } from '@omnichat/mcp';
import { createPrismaClient, migrate, resolveDatabase } from '@omnichat/db';

// Heap sizing for a long-running server (memory under sustained load).
tuneHeapForServer();

const database = await resolveDatabase(process.env);
await migrate(database.url);
const prisma = createPrismaClient(database.url);

const authConfig = loadAuthConfig(process.env);
const mcpConfig = loadMcpConfig(process.env);
const auth = await buildAuthApp(authConfig, { prisma });
const mcp = await buildMcpApp(mcpConfig, { prisma });

await auth.listen({ host: authConfig.host, port: authConfig.port });
await mcp.listen({ host: mcpConfig.host, port: mcpConfig.port });
auth.log.info({ issuer: authConfig.issuer, resource: mcpConfig.resourceUrl }, 'OmniChat Auth is up');

let stopping = false;
async function stop(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  auth.log.info({ signal }, 'shutting down');
  await Promise.allSettled([auth.close(), mcp.close()]);
  await prisma.$disconnect();
  await database.stop();
  process.exit(0);
}
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));
