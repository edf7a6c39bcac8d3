import { createTestDatabase } from '@omnichat/db/testing';
import { afterAll, beforeAll } from 'vitest';

import { createUser, startAuthServer, type RunningAuthServer } from '../../helpers/auth-server.js';

export type User = { email: string; password: string };

export type AuthSuite = {
  db: Awaited<ReturnType<typeof createTestDatabase>>;
  server: RunningAuthServer;
  /** The issuer (and base URL) of the file's server. */
  base: string;
  /** Runs `fn` with the server's clock (the adapter's) moved by `offsetMs`, then puts it back. */
  shifted<T>(offsetMs: number, fn: (advance: (ms: number) => void) => Promise<T>): Promise<T>;
};

/**
 * One database, one auth server on a controllable clock and one user per test file (vitest hooks
 * registered here). Time moves through the app's clock dep, never by sleeping.
 */
export function authSuite(resource: string, user: User, env: Record<string, string> = {}): AuthSuite {
  let offset = 0;
  const suite = {
    base: '',
    async shifted<T>(offsetMs: number, fn: (advance: (ms: number) => void) => Promise<T>): Promise<T> {
      offset = offsetMs;
      try {
        return await fn((ms) => (offset += ms));
      } finally {
        offset = 0;
      }
    },
  } as AuthSuite;
  beforeAll(async () => {
    suite.db = await createTestDatabase();
    suite.server = await startAuthServer({ prisma: suite.db.prisma, resourceUrl: resource, env, deps: { clock: () => new Date(Date.now() + offset) } });
    suite.base = suite.server.issuer;
    await createUser(suite.db.prisma, user.email, user.password);
  });
  afterAll(async () => {
    await suite.server?.close();
    await suite.db?.drop();
  });
  return suite;
}
