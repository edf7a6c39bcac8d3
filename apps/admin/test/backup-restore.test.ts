// `pnpm admin backup` / `restore` against the real Postgres with the real pg_dump and pg_restore:
// what a backup file holds, a round trip into a new database, and every refusal (each leaves the
// target as it was). The full drill with both apps is restore-drill.test.ts.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { migrate } from '@omnichat/db';
import { createEmptyTestDatabase, createTestDatabase, databaseUrl, withAdminClient, type TestDatabase } from '@omnichat/db/testing';
import { APP_VERSION } from '@omnichat/lifecycle';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

import { REPO_ROOT } from '@omnichat/testkit';
import { postgresToolsOrSkipReason } from './helpers/pg-tools.js';
import { admin } from './helpers/run.js';

const skipReason = await postgresToolsOrSkipReason();
if (skipReason) console.warn(`backup tests skipped: ${skipReason}`);

let source: TestDatabase;
let dir: string;
let backupFile: string;

beforeAll(async () => {
  if (skipReason) return;
  source = await createTestDatabase();
  dir = await mkdtemp(path.join(os.tmpdir(), 'omnichat-backup-test-'));
  await source.prisma.user.create({ data: { email: 'kept@example.com', passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA' } });
  await source.prisma.signingKey.create({ data: { kid: 'kid-current', alg: 'RS256', state: 'current', publicJwk: {}, privateJwkEncrypted: 'sealed' } });
  backupFile = path.join(dir, 'backup.tar');
  const run = await admin(source.prisma, ['backup', '--out', backupFile, '--json'], { databaseUrl: source.url });
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
});
afterAll(async () => {
  await source?.drop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** A database name on the test server that does not exist yet (dropped with the run's others). */
function newDatabaseUrl(): string {
  const { adminUrl, prefix } = inject('omnichatTestDatabase');
  return databaseUrl(adminUrl, `${prefix}restore_${randomBytes(4).toString('hex')}`);
}

async function tables(url: string): Promise<string[]> {
  return withAdminClient(url, async (client) => (await client.query<{ t: string }>("SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")).rows.map((row) => row.t));
}

const restore = (url: string, file: string, ...extra: string[]) => admin(source.prisma, ['restore', '--in', file, ...extra], { databaseUrl: url });

describe.skipIf(skipReason !== undefined)('pnpm admin backup', () => {
  it('writes a tar of manifest.json then database.pgdump (pg_dump custom format), mode 0600, naming the schema, keys and version', async () => {
    expect(execFileSync('tar', ['-tf', backupFile], { encoding: 'utf8' }).trim().split('\n')).toEqual(['manifest.json', 'database.pgdump']);
    expect((await stat(backupFile)).mode & 0o777).toBe(0o600);
    const manifest = JSON.parse(execFileSync('tar', ['-xOf', backupFile, 'manifest.json'], { encoding: 'utf8' })) as Record<string, any>;
    const migrations = readdirSync(path.join(REPO_ROOT, 'prisma/migrations')).filter((name) => /^\d{14}_/.test(name)).sort();
    expect(manifest).toMatchObject({ format: 'omnichat-backup', formatVersion: 1, appVersion: APP_VERSION, schemaMigration: migrations.at(-1), migrations, signingKeys: [{ kid: 'kid-current', alg: 'RS256', state: 'current' }] });
    expect(Date.now() - Date.parse(manifest.createdAt)).toBeLessThan(120_000);
    // The dump is what pg_restore reads: its table of contents lists our tables.
    const dump = path.join(dir, 'inspect.pgdump');
    await writeFile(dump, execFileSync('tar', ['-xOf', backupFile, 'database.pgdump']));
    expect(manifest.dump.bytes).toBe((await stat(dump)).size);
    expect(execFileSync('pg_restore', ['--list', dump], { encoding: 'utf8' })).toMatch(/TABLE public SigningKey/);
  });

  it('refuses without --out (usage), over an existing file (left untouched), and a database that was never migrated', async () => {
    const usage = await admin(source.prisma, ['backup'], { databaseUrl: source.url });
    expect([usage.code, usage.stderr]).toEqual([2, expect.stringContaining('--out <file> is required')]);

    const existing = path.join(dir, 'existing.tar');
    await writeFile(existing, 'an older backup');
    const over = await admin(source.prisma, ['backup', '--out', existing], { databaseUrl: source.url });
    expect([over.code, over.stderr]).toEqual([1, expect.stringContaining('already exists')]);
    expect(await readFile(existing, 'utf8')).toBe('an older backup');

    const empty = await createEmptyTestDatabase();
    try {
      const run = await admin(source.prisma, ['backup', '--out', path.join(dir, 'empty.tar')], { databaseUrl: empty.url });
      expect([run.code, run.stderr]).toEqual([1, expect.stringContaining('never been migrated')]);
      await expect(stat(path.join(dir, 'empty.tar'))).rejects.toThrow();
    } finally {
      await empty.drop();
    }
  });

  it('refuses clearly when PG_BIN_DIR holds no pg_dump of the server\'s major version', async () => {
    const run = await admin(source.prisma, ['backup', '--out', path.join(dir, 'no-tools.tar')], { databaseUrl: source.url, env: { PG_BIN_DIR: dir } });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/pg_dump of PostgreSQL \d+ \(the server's major version\) not found in PG_BIN_DIR=.*Install PostgreSQL \d+'s client programs/);
  });
});

describe.skipIf(skipReason !== undefined)('pnpm admin restore', () => {
  it('restores into a new database: the rows come back, the schema is current, audited', async () => {
    const url = newDatabaseUrl();
    const run = await restore(url, backupFile, '--json');
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ replacedRelations: 0, migrationsApplied: [] });
    expect(run.audit).toEqual([expect.objectContaining({ event: 'database.restored', replacedRelations: 0, by: 'admin_cli' })]);
    await withAdminClient(url, async (client) => {
      expect((await client.query('SELECT email FROM "User"')).rows).toEqual([{ email: 'kept@example.com' }]);
      expect((await client.query('SELECT kid, "privateJwkEncrypted" FROM "SigningKey"')).rows).toEqual([{ kid: 'kid-current', privateJwkEncrypted: 'sealed' }]);
    });
  });

  it('refuses a database that is not empty and leaves it as it was; --force replaces it', async () => {
    const target = await createTestDatabase();
    try {
      await target.prisma.user.create({ data: { email: 'other@example.com', passwordHash: 'x' } });
      const refused = await restore(target.url, backupFile);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/is not empty \(\d+ relation\(s\), e\.g\. .*pass --force/);
      expect((await target.prisma.user.findMany()).map((user) => user.email)).toEqual(['other@example.com']);

      const forced = await restore(target.url, backupFile, '--force');
      expect(forced.code, forced.stderr).toBe(0);
      expect(forced.stdout).toMatch(/replaced \d+ relation\(s\)/);
      expect((await target.prisma.user.findMany()).map((user) => user.email)).toEqual(['kept@example.com']);
    } finally {
      await target.drop();
    }
  });

  it('refuses a dump made by a newer build (one migration this build lacks), before touching the target', async () => {
    // A build with one more migration: this repository's migrations plus one.
    const newer = path.join(dir, 'newer-migrations');
    await cp(path.join(REPO_ROOT, 'prisma/migrations'), newer, { recursive: true });
    await mkdir(path.join(newer, '29990101000000_from_a_newer_build'));
    await writeFile(path.join(newer, '29990101000000_from_a_newer_build/migration.sql'), 'CREATE TABLE "FromTheFuture" ("id" INTEGER PRIMARY KEY);\n');
    const newerDatabase = await createEmptyTestDatabase();
    try {
      await migrate(newerDatabase.url, { migrationsDir: newer });
      const file = path.join(dir, 'newer.tar');
      expect((await admin(source.prisma, ['backup', '--out', file], { databaseUrl: newerDatabase.url })).code).toBe(0);

      const url = newDatabaseUrl();
      const run = await restore(url, file);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(`the backup was made by a newer build (version ${APP_VERSION}, schema 29990101000000_from_a_newer_build): this build does not know migration 29990101000000_from_a_newer_build`);
      // Refused before the database was even created.
      const { adminUrl } = inject('omnichatTestDatabase');
      const name = new URL(url).pathname.slice(1);
      expect(await withAdminClient(adminUrl, async (client) => (await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount)).toBe(0);
    } finally {
      await newerDatabase.drop();
    }
  });

  it('brings a backup from an older build up to date: the migrations it lacks are applied after the restore', async () => {
    // An older build: this repository's migrations without the newest one.
    const all = readdirSync(path.join(REPO_ROOT, 'prisma/migrations')).filter((name) => /^\d{14}_/.test(name)).sort();
    const older = path.join(dir, 'older-migrations');
    await cp(path.join(REPO_ROOT, 'prisma/migrations'), older, { recursive: true });
    await rm(path.join(older, all.at(-1)!), { recursive: true });
    const olderDatabase = await createEmptyTestDatabase();
    try {
      await migrate(olderDatabase.url, { migrationsDir: older });
      const file = path.join(dir, 'older.tar');
      expect((await admin(source.prisma, ['backup', '--out', file], { databaseUrl: olderDatabase.url })).code).toBe(0);
      const url = newDatabaseUrl();
      const run = await restore(url, file, '--json');
      expect(run.code, run.stderr).toBe(0);
      expect(JSON.parse(run.stdout)).toMatchObject({ migrationsApplied: [all.at(-1)], manifest: { schemaMigration: all.at(-2) } });
      await withAdminClient(url, async (client) => {
        const { rows } = await client.query<{ name: string }>('SELECT migration_name AS name FROM _prisma_migrations WHERE finished_at IS NOT NULL ORDER BY 1');
        expect(rows.map((row) => row.name)).toEqual(all);
      });
    } finally {
      await olderDatabase.drop();
    }
  });

  it.each([
    ['a missing file', async () => path.join(dir, 'does-not-exist.tar'), /no backup file at /],
    ['random bytes', async () => writeTo('garbled.tar', randomBytes(4096)), /is not a readable backup|is not an OmniChat backup/],
    ['a tar of something else', async () => tarOf('other.tar', { 'notes.txt': 'hello' }), /is not an OmniChat backup: its first entry is "notes.txt"/],
    ['a manifest that is not JSON', async () => tarOf('bad-manifest.tar', { 'manifest.json': '{ not json', 'database.pgdump': 'x' }), /manifest.json is not JSON/],
    ['a manifest missing fields', async () => tarOf('thin-manifest.tar', { 'manifest.json': '{"format":"omnichat-backup","formatVersion":1}', 'database.pgdump': 'x' }), /unusable manifest.json: createdAt/],
    ['a dump changed after the backup', async () => tampered('tampered.tar'), /is damaged: database.pgdump does not match the size and SHA-256 in its manifest/],
    ['a cut-off file', async () => {
      const file = path.join(dir, 'cut.tar');
      await cp(backupFile, file);
      await truncate(file, Math.floor((await stat(file)).size / 2));
      return file;
    }, /is damaged|is not a readable backup/],
  ])('refuses %s with one line (exit 1) and creates nothing', async (_name, make, reason) => {
    const file = await make();
    const url = newDatabaseUrl();
    const run = await restore(url, file);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(reason);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    await expect(tables(url)).rejects.toThrow(/does not exist/);
  });

  it('refuses a dump made by a newer PostgreSQL major than the target server, leaving the target empty', async () => {
    const manifest = JSON.parse(execFileSync('tar', ['-xOf', backupFile, 'manifest.json'], { encoding: 'utf8' })) as { postgres: Record<string, unknown> };
    manifest.postgres = { ...manifest.postgres, serverVersion: '99.1', serverMajor: 99, pgDumpVersion: '99.1', pgDumpMajor: 99 };
    const file = await tarOf('future-postgres.tar', { 'manifest.json': JSON.stringify(manifest), 'database.pgdump': execFileSync('tar', ['-xOf', backupFile, 'database.pgdump']) });
    const url = newDatabaseUrl();
    const run = await restore(url, file);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/the backup was dumped by pg_dump 99\.1 \(PostgreSQL 99\); this server is PostgreSQL \d+\.\d+: restore it into PostgreSQL 99 or newer/);
    expect(await tables(url)).toEqual([]);
  });

  it('refuses without --in (usage)', async () => {
    const run = await admin(source.prisma, ['restore'], { databaseUrl: newDatabaseUrl() });
    expect([run.code, run.stderr]).toEqual([2, expect.stringContaining('--in <file> is required')]);
  });
});

async function writeTo(name: string, bytes: Buffer): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, bytes);
  return file;
}

/** A tar (GNU tar's own) of these entries, in this order. */
async function tarOf(name: string, entries: Record<string, string | Buffer>): Promise<string> {
  const folder = await mkdtemp(path.join(dir, 'entries-'));
  for (const [entry, content] of Object.entries(entries)) await writeFile(path.join(folder, entry), content);
  const file = path.join(dir, name);
  execFileSync('tar', ['-cf', file, '-C', folder, ...Object.keys(entries)]);
  return file;
}

/** The real backup with one byte of its dump flipped, repacked by tar. */
async function tampered(name: string): Promise<string> {
  const manifest = execFileSync('tar', ['-xOf', backupFile, 'manifest.json']);
  const dump = execFileSync('tar', ['-xOf', backupFile, 'database.pgdump']);
  const middle = Math.floor(dump.length / 2);
  dump[middle] = (dump[middle] ?? 0) ^ 0xff;
  return tarOf(name, { 'manifest.json': manifest, 'database.pgdump': dump });
}
