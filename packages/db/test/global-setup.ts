// vitest globalSetup (root vitest.config.ts): finds the Postgres every suite talks to and builds one
// migrated template database per run; createTestDatabase() copies it per test file.
// Base server, in order: DATABASE_URL (CI's throwaway database), the system Postgres on
// 127.0.0.1:5432, else an embedded Postgres under .data/test-postgres.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres } from '../src/embedded-postgres.js';
import { migrate } from '../src/migrate.js';
import { DATA_DIR } from '../src/paths.js';
import { databaseUrl, withAdminClient } from '../src/testing.js';

const SYSTEM_POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
const CONNECT_PROBE_TIMEOUT_MS = 2_000;

async function reachable(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: CONNECT_PROBE_TIMEOUT_MS });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

async function findServer(): Promise<{ adminUrl: string; stop(): Promise<void> }> {
  const fromEnv = process.env.DATABASE_URL?.trim();
  if (fromEnv) return { adminUrl: fromEnv, stop: async () => {} };
  if (await reachable(SYSTEM_POSTGRES_URL)) return { adminUrl: SYSTEM_POSTGRES_URL, stop: async () => {} };
  const embedded = await startEmbeddedPostgres({ dir: path.join(DATA_DIR, 'test-postgres'), database: 'postgres' });
  return { adminUrl: embedded.adminUrl, stop: embedded.stop };
}

const RUN_DATABASE = /^omnichat_t([0-9a-z]+)_[0-9a-f]+_/;
/** A run this old is dead (killed before its teardown); nothing of it is still in use. */
const STALE_RUN_MS = 6 * 60 * 60 * 1000;

/** Drops databases left behind by test runs that were killed before their teardown. */
async function dropStaleRunDatabases(adminUrl: string): Promise<void> {
  await withAdminClient(adminUrl, async (client) => {
    const { rows } = await client.query<{ datname: string }>("SELECT datname FROM pg_database WHERE datname LIKE 'omnichat\\_t%'");
    for (const { datname } of rows) {
      const startedAt = parseInt(RUN_DATABASE.exec(datname)?.[1] ?? '', 36);
      if (Number.isFinite(startedAt) && Date.now() - startedAt > STALE_RUN_MS) {
        await client.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(datname)} WITH (FORCE)`);
      }
    }
  });
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await findServer();
  await dropStaleRunDatabases(server.adminUrl);
  // omnichat_t<start time, base 36>_<random>_: unique per run, and datable by the sweep above.
  const prefix = `omnichat_t${Date.now().toString(36)}_${randomBytes(3).toString('hex')}_`;
  const template = `${prefix}template`;
  await withAdminClient(server.adminUrl, (client) => client.query(`CREATE DATABASE ${pg.escapeIdentifier(template)}`));
  await migrate(databaseUrl(server.adminUrl, template));
  project.provide('omnichatTestDatabase', { adminUrl: server.adminUrl, template, prefix });

  return async () => {
    await withAdminClient(server.adminUrl, async (client) => {
      const { rows } = await client.query<{ datname: string }>(
        "SELECT datname FROM pg_database WHERE starts_with(datname, $1)",
        [prefix],
      );
      for (const { datname } of rows) {
        await client.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(datname)} WITH (FORCE)`);
      }
    });
    await server.stop();
  };
}
