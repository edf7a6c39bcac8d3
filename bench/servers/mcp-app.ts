// Our MCP resource server as it runs in production (src/server.ts): remote JWKS from the auth app,
// Postgres through Prisma, the one long-lived SDK server.
import { tuneHeapForServer } from '@omnichat/lifecycle';
import { createPrismaClient } from '@omnichat/db';
import { buildMcpApp, loadMcpConfig } from '@omnichat/mcp';
import { createMcpMetrics, startMetricsServer } from '@omnichat/metrics';
import { benchPort, serveBenchIpc } from './server-ipc.js';

// As src/server.ts does for every app process (memory under sustained load).
tuneHeapForServer();

const port = benchPort();
const prisma = createPrismaClient(process.env.DATABASE_URL ?? '');
const config = loadMcpConfig({ ...process.env, MCP_HOST: '127.0.0.1', MCP_PORT: String(port) });
// As src/server.ts: the metrics listener when MCP_METRICS_PORT is set (the runner picks a free
// port, or 0 for the metrics-off twin of mcp.metrics.cost).
const metrics = createMcpMetrics();
const app = await buildMcpApp(config, { prisma, metrics });
const served = config.metrics.enabled ? await startMetricsServer(metrics.registry, config.metrics) : undefined;
await app.listen({ host: '127.0.0.1', port });
serveBenchIpc(port, async () => {
  await app.close();
  await served?.close();
  await prisma.$disconnect();
});
