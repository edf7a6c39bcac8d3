// The MCP app on loopback with SSH settings a test can shrink, its audit log captured, a real
// migrated database, and helpers to approve hosts the way `pnpm admin ssh:host:add` does.
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { pino } from 'pino';
import type { PrismaClient } from '@omnichat/db';
import { createTestDatabase } from '@omnichat/db/testing';
import { createMcpMetrics, type McpMetrics } from '@omnichat/metrics';
import { buildMcpApp, loadMcpConfig, type McpConfig } from '../../../src/index.js';
import { prepareSshHost, type SshHostInput } from '@omnichat/ssh-hosts';
import { createLiveGrant, TEST_ISSUER } from '../../helpers/fixtures.js';
import { freePort, callTool } from '@omnichat/testkit';
import { createTestKey, localKeySet, mintAccessToken } from '../../helpers/test-keys.js';

export const TEST_KEY_ENCRYPTION_SECRET = 'ssh-tests-key-encryption-secret-0123456789';

export type SshBed = {
  url: string;
  config: McpConfig;
  app: FastifyInstance;
  prisma: PrismaClient;
  /** The app's Prometheus series. */
  metrics: McpMetrics;
  /** Parsed JSON log lines the app wrote (the audit log among them). */
  logLines: Array<Record<string, unknown>>;
  createUser(): Promise<string>;
  token(subject: string, scope: string, clientId?: string): Promise<string>;
  approveHost(input: Partial<SshHostInput> & Pick<SshHostInput, 'name' | 'port' | 'privateKey' | 'hostKey'>): Promise<string>;
  grant(userId: string, hostId: string): Promise<void>;
  call(name: string, args: Record<string, unknown>, token: string): ReturnType<typeof callTool>;
  close(): Promise<void>;
};

export async function startSshBed(env: Record<string, string> = {}): Promise<SshBed> {
  const database = await createTestDatabase();
  const key = await createTestKey();
  const url = `http://127.0.0.1:${await freePort()}/mcp`;
  const config = loadMcpConfig({
    ISSUER: TEST_ISSUER,
    RESOURCE_URL: url,
    KEY_ENCRYPTION_SECRET: TEST_KEY_ENCRYPTION_SECRET,
    LOG_LEVEL: 'info',
    ...env,
  });
  const logLines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim() !== '') logLines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const logger = pino({ level: 'info' }, sink) as unknown as FastifyBaseLogger;
  const metrics = createMcpMetrics();
  const app = await buildMcpApp(config, { prisma: database.prisma, getKey: localKeySet(key), loggerInstance: logger, metrics });
  await app.listen({ host: '127.0.0.1', port: Number(new URL(url).port) });

  return {
    url,
    config,
    app,
    prisma: database.prisma,
    metrics,
    logLines,
    async createUser() {
      const user = await database.prisma.user.create({ data: { email: `${randomUUID()}@example.com`, passwordHash: 'not-a-real-hash' } });
      return user.id;
    },
    async token(subject, scope, clientId = 'ssh-test-client') {
      const gid = await createLiveGrant(database.prisma);
      return mintAccessToken(key, { issuer: TEST_ISSUER, audience: url, subject, scope, clientId, claims: { gid } });
    },
    async approveHost(input) {
      const row = prepareSshHost(
        { address: '127.0.0.1', username: 'deploy', commandAllowList: [], ...input },
        TEST_KEY_ENCRYPTION_SECRET,
      );
      await database.prisma.sshHost.create({ data: row });
      return row.id;
    },
    async grant(userId, hostId) {
      await database.prisma.sshGrant.create({ data: { userId, hostId } });
    },
    call: (name, args, token) => callTool(url, name, args, token),
    async close() {
      await app.close();
      await database.drop();
    },
  };
}

/** The audit rows, oldest first. */
export async function auditRows(prisma: PrismaClient) {
  return prisma.sshExecution.findMany({ orderBy: { at: 'asc' } });
}
