// `pnpm admin backup`: one consistent snapshot of the database. The manifest is read inside a
// REPEATABLE READ transaction whose snapshot pg_dump then dumps (`--snapshot`), so the migration
// and key ids it names are exactly those in the dump, even with the apps writing meanwhile.
import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { parseIntoClientConfig } from 'pg-connection-string';

import { BackupFileError, digestFile, writeBackupArchive } from './archive.js';
import { BACKUP_FORMAT, BACKUP_FORMAT_VERSION, DUMP_ENTRY, type BackupManifest } from './manifest.js';
import { findPostgresTool, libpqEnvironment, runPostgresTool, type PostgresTool } from './postgres-tools.js';
import { serverVersion } from './server-info.js';

export type BackupOptions = {
  /** Where pg_dump is looked for (PG_BIN_DIR, PATH) and the rest of its environment. */
  env: Record<string, string | undefined>;
  appVersion: string;
  now?: () => Date;
};

export class BackupRefusedError extends Error {}

const UNDEFINED_TABLE = '42P01';

export async function backupDatabase(databaseUrl: string, outFile: string, options: BackupOptions): Promise<BackupManifest & { file: string }> {
  const target = path.resolve(outFile);
  if (await stat(target).then(() => true, () => false)) throw new BackupRefusedError(`${target} already exists: choose a new file name (a backup never overwrites one)`);
  if (!(await stat(path.dirname(target)).then((s) => s.isDirectory(), () => false))) throw new BackupRefusedError(`${path.dirname(target)} is not a directory`);

  const client = new pg.Client(parseIntoClientConfig(databaseUrl));
  client.on('error', () => {});
  await client.connect();
  const work = await mkdtemp(path.join(os.tmpdir(), 'omnichat-backup-'));
  try {
    const server = await serverVersion(client);
    const pgDump = await findPostgresTool('pg_dump', server.major, options.env);
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const { rows: [snapshot] } = await client.query<{ id: string }>('SELECT pg_export_snapshot() AS id');
    const createdAt = (options.now?.() ?? new Date()).toISOString();
    const migrations = await appliedMigrations(client);
    const { rows: keys } = await client.query<{ kid: string; alg: string; state: string }>('SELECT kid, alg, state FROM "SigningKey" ORDER BY "createdAt", kid');
    const dumpFile = path.join(work, DUMP_ENTRY);
    await dump(pgDump, databaseUrl, snapshot?.id ?? '', dumpFile, options.env);
    await client.query('COMMIT');
    const digest = await digestFile(dumpFile);
    const manifest: BackupManifest = {
      format: BACKUP_FORMAT,
      formatVersion: BACKUP_FORMAT_VERSION,
      createdAt,
      appVersion: options.appVersion,
      schemaMigration: migrations.at(-1) ?? '',
      migrations,
      signingKeys: keys,
      postgres: { serverVersion: server.version, serverMajor: server.major, pgDumpVersion: pgDump.version, pgDumpMajor: pgDump.major },
      dump: { entry: DUMP_ENTRY, format: 'custom', ...digest },
    };
    await writeBackupArchive(target, manifest, dumpFile);
    return { ...manifest, file: target };
  } finally {
    await client.end().catch(() => {});
    await rm(work, { recursive: true, force: true });
  }
}

/** Applied, not rolled back, in order; a database never migrated is refused (nothing of ours in it). */
async function appliedMigrations(client: pg.Client): Promise<string[]> {
  try {
    const { rows } = await client.query<{ name: string }>(
      'SELECT migration_name AS name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL ORDER BY migration_name',
    );
    if (rows.length === 0) throw new BackupRefusedError('the database has no applied migration: it holds no OmniChat data to back up');
    return rows.map((row) => row.name);
  } catch (error) {
    if ((error as { code?: string }).code === UNDEFINED_TABLE) throw new BackupRefusedError('the database has never been migrated (no _prisma_migrations table): it holds no OmniChat data to back up');
    throw error;
  }
}

async function dump(tool: PostgresTool, databaseUrl: string, snapshot: string, file: string, env: Record<string, string | undefined>): Promise<void> {
  // Owners and privileges are left out at restore time (pg_restore --no-owner --no-privileges), so
  // the dump can land on a server with other role names.
  await runPostgresTool(tool, ['--format=custom', `--snapshot=${snapshot}`, `--file=${file}`, '--no-password'], libpqEnvironment(databaseUrl, env));
  if (!(await stat(file).then((s) => s.size > 0, () => false))) throw new BackupFileError('pg_dump wrote nothing');
}
