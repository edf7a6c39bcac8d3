// Our authorization server as it runs in production (src/server.ts), with either its Prisma adapter
// or — baseline (c) — oidc-provider's own in-memory adapter. Everything else is identical: same
// configuration, same login and consent code, same users and keys in Postgres.
import { tuneHeapForServer } from '@omnichat/lifecycle';
import { createPrismaClient } from '@omnichat/db';
import { buildAuthApp, loadAuthConfig } from '@omnichat/auth';
import { createAuthMetrics, startMetricsServer } from '@omnichat/metrics';
import { benchPort, serveBenchIpc } from './server-ipc.js';

// As src/server.ts does for every app process (memory under sustained load).
tuneHeapForServer();

const port = benchPort();
const memory = process.env.BENCH_ADAPTER === 'memory';
const prisma = createPrismaClient(process.env.DATABASE_URL ?? '');
const config = loadAuthConfig({ ...process.env, ISSUER: `http://127.0.0.1:${port}`, AUTH_HOST: '127.0.0.1', AUTH_PORT: String(port) });
// As src/server.ts: metrics on, on the free port the runner chose (AUTH_METRICS_PORT).
const metrics = createAuthMetrics();
const served = config.metrics.enabled ? await startMetricsServer(metrics.registry, config.metrics) : undefined;
const app = await buildAuthApp(config, {
  prisma,
  metrics,
  // No adapter configured: oidc-provider's own development in-memory adapter.
  ...(memory ? { adapter: 'memory' as const } : {}),
});
await app.listen({ host: '127.0.0.1', port });
serveBenchIpc(port, async () => {
  await app.close();
  await served?.close();
  await prisma.$disconnect();
});
