// A second authorization-server process for cross-process tests: same database and issuer as the
// test's in-process server, its own Provider, Prisma pool and memory. Reports its port over IPC.
import type { AddressInfo } from 'node:net';

import { createPrismaClient } from '@omnichat/db';

import { buildAuthApp, loadAuthConfig } from '../../../src/index.js';

const config = loadAuthConfig(process.env);
const prisma = createPrismaClient(process.env.DATABASE_URL as string, { maxConnections: 4 });
const app = await buildAuthApp(config, { prisma });
await app.listen({ host: '127.0.0.1', port: 0 });
process.send?.({ port: (app.server.address() as AddressInfo).port });
process.on('message', (message) => {
  if (message !== 'stop') return;
  void app.close().then(() => prisma.$disconnect()).then(() => process.exit(0));
});
