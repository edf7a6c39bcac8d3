import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrismaClient } from '../src/client.js';
import type { PrismaClient } from '../src/generated/client.js';
import { MIGRATE_ADVISORY_LOCK_KEY, migrate } from '../src/migrate.js';
import { MIGRATIONS_DIR } from '../src/paths.js';
import { createEmptyTestDatabase, withAdminClient, type EmptyTestDatabase } from '../src/testing.js';
import { runScript } from './run-script.js';

interface MigrationRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
  logs: string | null;
  applied_steps_count: number;
  started_at: Date;
}

async function migrationFolders(): Promise<string[]> {
  const entries = await readdir(MIGRATIONS_DIR, { withFileTypes: true });
  return entries.filter((e) => e.isDirectory()).map((e) => e.name).sort();
}

function rows(prisma: PrismaClient): Promise<MigrationRow[]> {
  return prisma.$queryRaw<MigrationRow[]>`
    SELECT migration_name, checksum, finished_at, rolled_back_at, logs, applied_steps_count, started_at
    FROM _prisma_migrations ORDER BY migration_name`;
}

describe('migrate', () => {
  let db: EmptyTestDatabase;
  let prisma: PrismaClient;
  beforeAll(async () => {
    db = await createEmptyTestDatabase();
    prisma = createPrismaClient(db.url, { maxConnections: 2 });
  });
  afterAll(async () => {
    await prisma?.$disconnect();
    await db?.drop();
  });

  it('applies every migration to an empty database and records each like prisma migrate deploy', async () => {
    const folders = await migrationFolders();
    expect(folders.length).toBeGreaterThan(0);

    const { applied } = await migrate(db.url);

    expect(applied).toEqual(folders);
    const recorded = await rows(prisma);
    expect(recorded.map((r) => r.migration_name)).toEqual(folders);
    for (const row of recorded) {
      // Prisma's checksum is the SHA-256 of migration.sql; a mismatch would make the CLI report drift.
      const sql = await readFile(path.join(MIGRATIONS_DIR, row.migration_name, 'migration.sql'));
      expect(row.checksum).toBe(createHash('sha256').update(sql).digest('hex'));
      expect(row.finished_at).not.toBeNull();
      expect(row.rolled_back_at).toBeNull();
      expect(row.logs).toBeNull();
      expect(row.applied_steps_count).toBe(1);
    }
    const tables = await prisma.$queryRaw<{ table_name: string }[]>`
      SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'`;
    expect(tables.map((t) => t.table_name)).toEqual(expect.arrayContaining(['User', 'KnowledgeArticle', 'OidcPayload']));
  });

  it('is a no-op the second time', async () => {
    const before = await rows(prisma);
    const { applied } = await migrate(db.url);
    expect(applied).toEqual([]);
    expect(await rows(prisma)).toEqual(before);
  });

  it('creates the target database when it does not exist yet, as prisma migrate deploy does', async () => {
    const missing = new URL(db.url);
    missing.pathname = `${missing.pathname}_created`;
    try {
      const { applied } = await migrate(missing.toString());
      expect(applied).toEqual(await migrationFolders());
    } finally {
      await prisma.$executeRawUnsafe(`DROP DATABASE IF EXISTS "${decodeURIComponent(missing.pathname.slice(1))}" WITH (FORCE)`);
    }
  });
});

describe('migrate under concurrency', () => {
  it('waits for the migration lock another process holds, then applies', async () => {
    const db = await createEmptyTestDatabase();
    try {
      await withAdminClient(db.url, async (holder) => {
        await holder.query('SELECT pg_advisory_lock($1)', [MIGRATE_ADVISORY_LOCK_KEY]);
        const running = migrate(db.url);
        // Wait until migrate's session is queued behind our lock (an event in pg_locks, not a sleep).
        for (;;) {
          const { rows: waiting } = await holder.query(
            "SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
          );
          if (waiting.length > 0) break;
          await new Promise((resolve) => setImmediate(resolve));
        }
        const { rows: tables } = await holder.query("SELECT 1 FROM information_schema.tables WHERE table_name = '_prisma_migrations'");
        expect(tables).toHaveLength(0);
        await holder.query('SELECT pg_advisory_unlock($1)', [MIGRATE_ADVISORY_LOCK_KEY]);
        expect((await running).applied).toEqual(await migrationFolders());
      });
    } finally {
      await db.drop();
    }
  });
});

describe('pnpm db:migrate', () => {
  it('succeeds in two processes started at once and records each migration exactly once', async () => {
    const db = await createEmptyTestDatabase();
    const prisma = createPrismaClient(db.url, { maxConnections: 1 });
    try {
      const [a, b] = await Promise.all([runScript('migrate', { DATABASE_URL: db.url }), runScript('migrate', { DATABASE_URL: db.url })]);
      expect([a.code, b.code], `${a.stderr}\n${b.stderr}`).toEqual([0, 0]);
      const outputs = [a.stdout, b.stdout].join('\n');
      expect(outputs).toMatch(/applied \d+ migration/);
      const recorded = await rows(prisma);
      expect(recorded.map((r) => r.migration_name)).toEqual(await migrationFolders());
      expect(recorded.every((r) => r.finished_at !== null && r.rolled_back_at === null)).toBe(true);
    } finally {
      await prisma.$disconnect();
      await db.drop();
    }
  });

  it('says so and exits 0 when the database is already current', async () => {
    const db = await createEmptyTestDatabase();
    try {
      await migrate(db.url);
      const result = await runScript('migrate', { DATABASE_URL: db.url });
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('nothing applied');
    } finally {
      await db.drop();
    }
  });

  it('exits 1 with the reason when the database cannot be reached', async () => {
    const result = await runScript('migrate', { DATABASE_URL: 'postgres://postgres@127.0.0.1:1/nowhere' });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/ECONNREFUSED/);
  });
});
