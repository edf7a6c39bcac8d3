import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveDatabase } from '../src/database.js';
import { diffMigrationsToSchema } from '../src/diff.js';
import { migrate } from '../src/migrate.js';
import { embeddedDataDir, rootClusterHome, startEmbeddedPostgres, type RunningPostgres } from '../src/embedded-postgres.js';

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

/** initdb, two starts and a stop: 30 s is too little on a busy two-core machine (seen: 30 s timeout at load 38). */
const CLUSTER_TIMEOUT_MS = 120_000;

describe('embedded Postgres', () => {
  let dir: string;
  let running: RunningPostgres | undefined;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'omnichat-embedded-'));
  });
  afterAll(async () => {
    await running?.stop();
    await rm(dir, { recursive: true, force: true });
    // As root the clusters live outside dir (rootClusterHome): remove those this file made.
    for (const cluster of [dir, path.join(dir, 'exit-code')]) await rm(rootClusterHome(cluster), { recursive: true, force: true });
  });

  it('starts, keeps a row across a stop and a start, and stops cleanly', async () => {
    running = await startEmbeddedPostgres({ dir, database: 'persisted' });
    const first = running;
    await query(first.url, 'CREATE TABLE notes (body text)');
    await query(first.url, "INSERT INTO notes VALUES ('still here')");
    expect(existsSync(path.join(embeddedDataDir(dir), 'postmaster.pid'))).toBe(true);

    await first.stop();
    running = undefined;
    // A clean shutdown removes the pid file and closes the port.
    expect(existsSync(path.join(embeddedDataDir(dir), 'postmaster.pid'))).toBe(false);
    await expect(query(first.url, 'SELECT 1')).rejects.toMatchObject({ code: 'ECONNREFUSED' });

    running = await startEmbeddedPostgres({ dir, database: 'persisted' });
    expect(await query<{ body: string }>(running.url, 'SELECT body FROM notes')).toEqual([{ body: 'still here' }]);
    await running.stop();
    running = undefined;
    expect(existsSync(path.join(embeddedDataDir(dir), 'postmaster.pid'))).toBe(false);
  }, CLUSTER_TIMEOUT_MS);

  it("leaves the process's exit code alone (embedded-postgres's exit hook would force 0)", async () => {
    await chmod(dir, 0o755); // as root the server runs as `postgres`, which must enter dir
    const fixture = path.join(import.meta.dirname, 'fixtures/exit-code-after-embedded.ts');
    const child = spawnSync(process.execPath, ['--import', 'tsx', fixture, path.join(dir, 'exit-code')], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(child.stderr).toBe('');
    expect(child.status).toBe(3);
  });

  it('reuses the cluster another process already runs in the same directory instead of starting a second', async () => {
    const owner = await startEmbeddedPostgres({ dir, database: 'shared' });
    running = owner;
    const guest = await startEmbeddedPostgres({ dir, database: 'shared' });
    expect(guest.port).toBe(owner.port);
    await guest.stop(); // not the owner: must leave the server up
    expect(await query<{ one: number }>(owner.url, 'SELECT 1 AS one')).toEqual([{ one: 1 }]);
    await owner.stop();
    running = undefined;
  });

  it('migrates and diffs the schema offline on the embedded server (the drift check a newcomer runs)', async () => {
    running = await startEmbeddedPostgres({ dir, database: 'drift' });
    await migrate(running.url);
    // PostgreSQL 18 lists NOT NULL constraints in pg_constraint, which crashes the WASM schema
    // describer; the embedded server is pinned to a major version the engine reads.
    expect(await diffMigrationsToSchema(running.adminUrl)).toBe('');
    await running.stop();
    running = undefined;
  }, CLUSTER_TIMEOUT_MS);

  it('refuses, with the reason, a data directory made by another PostgreSQL major version', async () => {
    const other = path.join(dir, 'other-major');
    await mkdir(path.join(other, 'data'), { recursive: true });
    await writeFile(path.join(other, 'data/PG_VERSION'), '9\n');
    await expect(startEmbeddedPostgres({ dir: other, database: 'x' })).rejects.toThrow(/holds a PostgreSQL 9 cluster but the embedded server is PostgreSQL \d+/);
  });

  it('listens on loopback only and needs the generated password', async () => {
    running = await startEmbeddedPostgres({ dir, database: 'persisted' });
    const url = new URL(running.url);
    expect(url.hostname).toBe('127.0.0.1');
    url.password = 'wrong';
    await expect(query(url.toString(), 'SELECT 1')).rejects.toMatchObject({ code: '28P01' });
    await running.stop();
    running = undefined;
  });
});

describe('resolveDatabase', () => {
  it('uses DATABASE_URL as given and starts nothing', async () => {
    const resolved = await resolveDatabase({ DATABASE_URL: 'postgres://app@db.internal:5432/omnichat' }, '/nonexistent');
    expect(resolved).toMatchObject({ url: 'postgres://app@db.internal:5432/omnichat', embedded: false });
    await resolved.stop();
  });

  it.each(['0', '70000', 'abc', '5433.5'])('refuses EMBEDDED_PG_PORT=%s', async (port) => {
    await expect(resolveDatabase({ EMBEDDED_PG_PORT: port }, '/nonexistent')).rejects.toThrow('EMBEDDED_PG_PORT');
  });

  it('starts the embedded Postgres under <dataDir>/postgres when DATABASE_URL is unset', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'omnichat-data-'));
    // mkdtemp makes it 0700; as root the server's `postgres` user must be able to pass through.
    await chmod(dataDir, 0o755);
    try {
      const resolved = await resolveDatabase({}, dataDir);
      try {
        expect(resolved.embedded).toBe(true);
        expect(await query<{ db: string }>(resolved.url, 'SELECT current_database() AS db')).toEqual([{ db: 'omnichat' }]);
        expect(existsSync(path.join(embeddedDataDir(path.join(dataDir, 'postgres')), 'PG_VERSION'))).toBe(true);
      } finally {
        await resolved.stop();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
      await rm(rootClusterHome(path.join(dataDir, 'postgres')), { recursive: true, force: true });
    }
  });
});
