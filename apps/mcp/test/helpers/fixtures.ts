import { randomUUID } from 'node:crypto';
import type { PrismaClient } from '@omnichat/db';
import { createTestDatabase } from '@omnichat/db/testing';
import { startMcpServer, type RunningMcpServer, type StartMcpServerOptions } from './start-mcp-server.js';
import { createTestKey, localKeySet, mintAccessToken, type MintOptions, type TestKey } from './test-keys.js';

/** The issuer our test tokens claim; nothing needs to listen there (keys are passed locally). */
export const TEST_ISSUER = 'http://127.0.0.1:4999';

export type McpTestBed = {
  server: RunningMcpServer;
  key: TestKey;
  prisma: PrismaClient;
  /**
   * A token for `subject` with these scopes, for this server's audience, naming a live grant
   * (`gid`) made for it unless `extra.claims.gid` names one.
   */
  token(subject: string, scope?: string, extra?: Partial<MintOptions>): Promise<string>;
  /** A live Grant row, as the authorization server stores it; returns its id (a token's `gid`). */
  grant(): Promise<string>;
  createUser(email?: string): Promise<string>;
  prmUrl: string;
  close(): Promise<void>;
};

/** A migrated database, a signing key and the MCP app on loopback trusting that key. */
export async function startTestBed(options: Partial<StartMcpServerOptions> = {}): Promise<McpTestBed> {
  const database = await createTestDatabase();
  const key = await createTestKey();
  const server = await startMcpServer({
    databaseUrl: database.url,
    issuer: TEST_ISSUER,
    getKey: localKeySet(key),
    ...options,
  });
  return {
    server,
    key,
    prisma: database.prisma,
    prmUrl: `${server.origin}/.well-known/oauth-protected-resource/mcp`,
    grant: () => createLiveGrant(database.prisma),
    async token(subject, scope = '', extra = {}) {
      const gid = extra.claims?.['gid'] ?? (await createLiveGrant(database.prisma));
      return mintAccessToken(key, {
        issuer: TEST_ISSUER, audience: server.url, subject, scope, ...extra, claims: { gid, ...extra.claims },
      });
    },
    async createUser(email = `${randomUUID()}@example.com`) {
      const user = await database.prisma.user.create({ data: { email, passwordHash: 'not-a-real-hash' } });
      return user.id;
    },
    async close() {
      await server.close();
      await database.drop();
    },
  };
}

/** A Grant row shaped as oidc-provider's Prisma adapter writes it (model 'Grant', grantId = id). */
export async function createLiveGrant(prisma: PrismaClient): Promise<string> {
  const id = randomUUID();
  await prisma.oidcPayload.create({
    data: { model: 'Grant', id, grantId: id, payload: { jti: id, kind: 'Grant' }, expiresAt: new Date(Date.now() + 86_400_000) },
  });
  return id;
}
