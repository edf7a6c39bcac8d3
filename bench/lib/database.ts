// A throwaway, migrated database for one bench run: on DATABASE_URL's server when set, otherwise on
// an embedded Postgres kept under .data/bench (its own cluster, never the app's data).
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import pg from 'pg';
import { migrate, resolveDatabase } from '@omnichat/db';
import { REPO_ROOT } from './processes.js';

export type BenchDatabase = {
  url: string;
  description: string;
  drop(): Promise<void>;
};

export async function createBenchDatabase(): Promise<BenchDatabase> {
  const server = await resolveDatabase(process.env, path.join(REPO_ROOT, '.data/bench'));
  const name = `omnichat_bench_${randomBytes(5).toString('hex')}`;
  const url = withDatabase(server.url, name);
  const admin = withDatabase(server.url, 'postgres');
  await migrate(url);
  return {
    url,
    description: `${server.embedded ? 'embedded Postgres' : 'DATABASE_URL server'}, throwaway database ${name}`,
    async drop() {
      const client = new pg.Client({ connectionString: admin });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
      } finally {
        await client.end();
        await server.stop();
      }
    },
  };
}

function withDatabase(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${encodeURIComponent(database)}`;
  return url.toString();
}
