// Which Postgres the apps and scripts use: DATABASE_URL when set (production, CI, docker compose),
// otherwise a persistent embedded Postgres under <repo>/.data/postgres so `pnpm start` needs nothing.
import path from 'node:path';
import { startEmbeddedPostgres } from './embedded-postgres.js';
import type { PrismaClient } from './generated/client.js';
import { DATA_DIR } from './paths.js';

const DEFAULT_EMBEDDED_PORT = 5433;
const EMBEDDED_DATABASE = 'omnichat';

export interface DatabaseEnv {
  DATABASE_URL?: string | undefined;
  /** Port for the embedded Postgres; when unset, 5433 if free, else any free port. */
  EMBEDDED_PG_PORT?: string | undefined;
  /** Directory of the embedded Postgres (its cluster and password); `.data/postgres` in the checkout when unset. */
  EMBEDDED_PG_DIR?: string | undefined;
}

export interface ResolvedDatabase {
  url: string;
  /** True when this process started (or reused) the embedded Postgres. */
  embedded: boolean;
  /** Stops the embedded Postgres this process started; a no-op otherwise. Safe to call twice. */
  stop(): Promise<void>;
  /** Asks the embedded Postgres this process started to stop, without waiting (a forced exit); a no-op otherwise. */
  stopNow(): void;
}

export async function resolveDatabase(env: DatabaseEnv, dataDir: string = DATA_DIR): Promise<ResolvedDatabase> {
  const url = env.DATABASE_URL?.trim();
  if (url) return { url, embedded: false, stop: async () => {}, stopNow: () => {} };

  const port = parsePort(env.EMBEDDED_PG_PORT);
  const server = await startEmbeddedPostgres({
    dir: env.EMBEDDED_PG_DIR?.trim() ? path.resolve(env.EMBEDDED_PG_DIR.trim()) : path.join(dataDir, 'postgres'),
    ...(port === undefined ? { preferredPort: DEFAULT_EMBEDDED_PORT } : { port }),
    database: EMBEDDED_DATABASE,
  });
  return { url: server.url, embedded: true, stop: server.stop, stopNow: server.stopNow };
}

function parsePort(value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65_535) {
    throw new TypeError(`EMBEDDED_PG_PORT must be a TCP port (1-65535), got "${value}"`);
  }
  return port;
}

/**
 * How a process that resolved its database lets go of it, in order, as named shutdown steps: the
 * client's pool, then the embedded Postgres it started (a no-op for any other server).
 */
export function databaseStopSteps(prisma: PrismaClient, database: ResolvedDatabase): Array<{ name: string; run: () => Promise<unknown> }> {
  return [
    { name: 'database pool', run: () => prisma.$disconnect() },
    { name: 'embedded postgres', run: () => database.stop() },
  ];
}
