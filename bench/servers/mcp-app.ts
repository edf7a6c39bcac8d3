// Our MCP resource server as it runs in production (src/server.ts): remote JWKS from the auth app,
// Postgres through Prisma, the one long-lived SDK server.
import { serverLogDestination, tuneHeapForServer } from '@omnichat/lifecycle';
import { createPrismaClient } from '@omnichat/db';
import { buildMcpApp, loadMcpConfig } from '@omnichat/mcp';
import { createMcpMetrics, startMetricsServer } from '@omnichat/metrics';
import { benchPort, serveBenchIpc } from './server-ipc.js';

// As src/server.ts does for every app process (memory under sustained load).
tuneHeapForServer();

const port = benchPort();
const prisma = createPrismaClient(process.env.DATABASE_URL ?? '');
const config = loadMcpConfig({ ...process.env, MCP_HOST: '127.0.0.1', MCP_PORT: String(port) });
// Where src/server.ts writes its logs: stdout through the asynchronous destination; and its
// metrics listener, on the free port the runner chose (MCP_METRICS_PORT).
const metrics = createMcpMetrics();
// BENCH_TOOL_AUDIT=off: the audit-off twin that prices the tool-call audit (production always audits).
const toolAudit = process.env.BENCH_TOOL_AUDIT === 'off' ? { toolAudit: false as const } : {};
const app = await buildMcpApp(config, { prisma, metrics, logStream: serverLogDestination(process.env).stream, ...toolAudit });
const served = config.metrics.enabled ? await startMetricsServer(metrics.registry, config.metrics) : undefined;
await app.listen({ host: '127.0.0.1', port });
serveBenchIpc(port, async () => {
  await app.close();
  await served?.close();
  await prisma.$disconnect();
});
