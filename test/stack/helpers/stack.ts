import { createTestDatabase, type TestDatabase } from '@omnichat/db/testing';
import { startAuthServer, type RunningAuthServer } from '@omnichat/auth/testing';
import { startMcpServer, type RunningMcpServer } from '@omnichat/mcp/testing';
import { freePort } from '@omnichat/testkit';

export type Stack = { database: TestDatabase; auth: RunningAuthServer; mcp: RunningMcpServer; close(): Promise<void> };

/**
 * A fresh database with both apps on it, as deployed: the MCP app's URL is the auth app's audience
 * and its tokens are checked against the auth app's JWKS. `authEnv` sets the auth app's variables.
 * Whatever started is stopped again if a later step fails.
 */
export async function startStack(options: { authEnv?: Record<string, string> } = {}): Promise<Stack> {
  const database = await createTestDatabase();
  let auth: RunningAuthServer | undefined;
  try {
    const resourceUrl = `http://127.0.0.1:${await freePort()}/mcp`;
    auth = await startAuthServer({ prisma: database.prisma, resourceUrl, ...(options.authEnv ? { env: options.authEnv } : {}) });
    const mcp = await startMcpServer({ databaseUrl: database.url, issuer: auth.issuer, resourceUrl, jwksUrl: `${auth.issuer}/jwks` });
    const started = auth;
    return {
      database,
      auth,
      mcp,
      async close() {
        await mcp.close();
        await started.close();
        await database.drop();
      },
    };
  } catch (error) {
    await auth?.close();
    await database.drop();
    throw error;
  }
}
