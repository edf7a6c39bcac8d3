import { createPrismaClient, hashPassword, normaliseEmail, type PrismaClient } from '@omnichat/db';
import { freePort } from '@omnichat/testkit';
import type { FastifyInstance } from 'fastify';

import { buildAuthApp, loadAuthConfig, type AuthConfig, type AuthDeps } from '../../src/index.js';
import type { DevFetch } from '../../src/provider/provider-fetch.js';

/** A fixed test secret (not the dev default, so the "unset secret" warning path stays untested noise-free). */
export const TEST_KEY_ENCRYPTION_SECRET = 'test-key-encryption-secret-0123456789abcdef';

export type RunningAuthServer = {
  issuer: string;
  config: AuthConfig;
  app: FastifyInstance;
  prisma: PrismaClient;
  close(): Promise<void>;
};

const UNLIMITED = {
  LIMIT_REGISTER_PER_IP: '1000000/60',
  LIMIT_REGISTER_PER_CALLER: '1000000/60',
  LIMIT_REGISTER_GLOBAL: '1000000/60',
  LIMIT_CIMD_PER_HOST: '1000000/60',
  LIMIT_TOKEN_PER_CLIENT: '1000000/60',
  LIMIT_LOGIN_PER_ACCOUNT: '1000000/60',
  LIMIT_LOGIN_PER_IP: '1000000/60',
};

/**
 * Builds and starts the auth app on a loopback port with issuer `http://127.0.0.1:<port>`.
 * Pass `prisma` to share a client (and so a database) with the test; otherwise one is created from
 * `databaseUrl` and closed with the server. `port` restarts a server on the same issuer.
 */
export async function startAuthServer(options: {
  databaseUrl?: string;
  prisma?: PrismaClient;
  resourceUrl?: string;
  port?: number;
  env?: Record<string, string>;
  devFetch?: DevFetch;
  deps?: Partial<Omit<AuthDeps, 'prisma'>>;
  /** The issuer's host name: `localhost` for WebAuthn, whose RP ID cannot be an IP address. */
  hostname?: 'localhost' | '127.0.0.1';
}): Promise<RunningAuthServer> {
  const prisma = options.prisma ?? createPrismaClient(requireUrl(options.databaseUrl));
  for (let attempt = 0; ; attempt += 1) {
    const port = options.port ?? (await freePort());
    const issuer = `http://${options.hostname ?? '127.0.0.1'}:${port}`;
    const config = loadAuthConfig({
      ISSUER: issuer,
      RESOURCE_URL: options.resourceUrl ?? 'http://127.0.0.1:3999/mcp',
      AUTH_HOST: '127.0.0.1',
      AUTH_PORT: String(port),
      KEY_ENCRYPTION_SECRET: TEST_KEY_ENCRYPTION_SECRET,
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
      // Every test registers from 127.0.0.1: abuse limits are off unless a test sets them (security/limits).
      ...UNLIMITED,
      ...options.env,
    });
    const app = await buildAuthApp(config, { prisma, ...(options.devFetch ? { devFetch: options.devFetch } : {}), ...options.deps });
    try {
      await app.listen({ host: '127.0.0.1', port });
    } catch (error) {
      await app.close();
      if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE' && options.port === undefined && attempt < 5) continue;
      throw error;
    }
    return {
      issuer,
      config,
      app,
      prisma,
      async close() {
        await app.close();
        if (!options.prisma) await prisma.$disconnect();
      },
    };
  }
}

function requireUrl(url: string | undefined): string {
  if (!url) throw new Error('startAuthServer needs databaseUrl or prisma');
  return url;
}

/** Creates (or replaces the password of) a user; returns its id. */
export async function createUser(prisma: PrismaClient, email: string, password: string): Promise<string> {
  const passwordHash = await hashPassword(password);
  const normalised = normaliseEmail(email);
  const user = await prisma.user.upsert({
    where: { email: normalised },
    create: { email: normalised, passwordHash },
    update: { passwordHash, disabledAt: null },
  });
  return user.id;
}
