// Test databases on the real Postgres found by test/global-setup.ts: each is a copy of one migrated
// template (CREATE DATABASE ... TEMPLATE), which is far quicker than migrating per test file.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { createPrismaClient } from './client.js';
import type { PrismaClient } from './generated/client.js';

/** What the global setup hands to test workers. */
export interface TestDatabaseServer {
  /** A URL on the server with rights to CREATE and DROP databases. */
  adminUrl: string;
  /** The migrated template database. */
  template: string;
  /** Every database made for this run starts with it, so teardown can drop them all. */
  prefix: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    omnichatTestDatabase: TestDatabaseServer;
  }
}

export interface TestDatabase {
  url: string;
  prisma: PrismaClient;
  drop(): Promise<void>;
}

export interface EmptyTestDatabase {
  url: string;
  drop(): Promise<void>;
}

function server(): TestDatabaseServer {
  const provided = inject('omnichatTestDatabase');
  if (!provided) {
    throw new Error('no test database server: run tests through the root vitest.config.ts (its globalSetup provides one)');
  }
  return provided;
}

export function databaseUrl(adminUrl: string, database: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${encodeURIComponent(database)}`;
  return url.toString();
}

export async function withAdminClient<T>(adminUrl: string, run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

const OBJECT_IN_USE = '55006';

async function createDatabase(template: string | undefined): Promise<EmptyTestDatabase> {
  const { adminUrl, prefix } = server();
  const name = `${prefix}${randomBytes(6).toString('hex')}`;
  const sql = `CREATE DATABASE ${pg.escapeIdentifier(name)}${template ? ` TEMPLATE ${pg.escapeIdentifier(template)}` : ''}`;
  await withAdminClient(adminUrl, async (client) => {
    // Postgres refuses to copy a template while another session is connected to it; those are
    // brief (another worker's copy), so retry a few times.
    for (let attempt = 0; ; attempt++) {
      try {
        await client.query(sql);
        return;
      } catch (error) {
        if ((error as { code?: string }).code !== OBJECT_IN_USE || attempt >= 20) throw error;
        await new Promise((resolve) => setTimeout(resolve, 50 * (attempt + 1)));
      }
    }
  });
  let dropped: Promise<void> | undefined;
  return {
    url: databaseUrl(adminUrl, name),
    drop: () =>
      (dropped ??= withAdminClient(adminUrl, async (client) => {
        await client.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
      })),
  };
}

/** A fresh, fully migrated database with a connected Prisma client. Call drop() in afterAll. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const database = await createDatabase(server().template);
  const prisma = createPrismaClient(database.url, { maxConnections: 4 });
  return {
    url: database.url,
    prisma,
    drop: async () => {
      await prisma.$disconnect();
      await database.drop();
    },
  };
}

/** A fresh database with no tables at all, for tests of migrating itself. */
export function createEmptyTestDatabase(): Promise<EmptyTestDatabase> {
  return createDatabase(undefined);
}

export { startOutagePostgres, type OutagePostgres } from './outage-postgres.js';
// Where an embedded cluster under a directory keeps its data, for tests that watch its postmaster.
export { embeddedDataDir, rootClusterHome } from './embedded-postgres.js';
