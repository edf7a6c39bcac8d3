// `pnpm admin restore`: a backup file into an empty database (or, with `force`, one emptied
// first), then the migrations this build has and the dump has not. Everything that can refuse is
// checked before the target is touched: the file, its schema against this build's migrations, the
// Postgres versions and the target's emptiness.
import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { parseIntoClientConfig } from 'pg-connection-string';

import { migrate, ensureDatabaseExists } from '../migrate.js';
import { listMigrations } from '../migrations-directory.js';
import { MIGRATIONS_DIR } from '../paths.js';
import { BackupFileError, readBackupArchive } from './archive.js';
import { BackupRefusedError } from './backup.js';
import { DUMP_ENTRY, type BackupManifest } from './manifest.js';
import { findPostgresTool, libpqEnvironment, runPostgresTool } from './postgres-tools.js';
import { serverVersion, userRelations } from './server-info.js';

export type RestoreOptions = {
  env: Record<string, string | undefined>;
  /** Replace whatever the target holds (its `public` schema is dropped first). */
  force?: boolean;
  migrationsDir?: string;
};

export type RestoreResult = { manifest: BackupManifest; database: string; replaced: number; applied: string[] };

export async function restoreDatabase(databaseUrl: string, inFile: string, options: RestoreOptions): Promise<RestoreResult> {
  const work = await mkdtemp(path.join(os.tmpdir(), 'omnichat-restore-'));
  try {
    const dumpFile = path.join(work, DUMP_ENTRY);
    const source = path.resolve(inFile);
    if (!(await stat(source).then((s) => s.isFile(), () => false))) throw new BackupFileError(`no backup file at ${source}`);
    const manifest = await readBackupArchive(source, dumpFile);
    const migrationsDir = options.migrationsDir ?? MIGRATIONS_DIR;
    const known = new Set((await listMigrations(migrationsDir)).migrationDirectories.map((migration) => migration.path));
    const unknown = manifest.migrations.filter((name) => !known.has(name));
    if (unknown.length > 0) {
      throw new BackupRefusedError(
        `the backup was made by a newer build (version ${manifest.appVersion}, schema ${manifest.schemaMigration}): ` +
          `this build does not know migration ${unknown.join(', ')}; restore it with that version or newer`,
      );
    }

    await ensureDatabaseExists(databaseUrl);
    const config = parseIntoClientConfig(databaseUrl);
    const client = new pg.Client(config);
    client.on('error', () => {});
    await client.connect();
    let replaced = 0;
    try {
      const server = await serverVersion(client);
      if (manifest.postgres.pgDumpMajor > server.major) {
        throw new BackupRefusedError(
          `the backup was dumped by pg_dump ${manifest.postgres.pgDumpVersion} (PostgreSQL ${manifest.postgres.serverMajor}); ` +
            `this server is PostgreSQL ${server.version}: restore it into PostgreSQL ${manifest.postgres.pgDumpMajor} or newer`,
        );
      }
      const pgRestore = await findPostgresTool('pg_restore', server.major, options.env);
      const env = libpqEnvironment(databaseUrl, options.env);
      // Reads the whole table of contents: a dump pg_restore cannot read fails here, not half-way.
      await runPostgresTool(pgRestore, ['--list', dumpFile], env);
      const existing = await userRelations(client);
      if (existing.length > 0 && !options.force) {
        throw new BackupRefusedError(
          `database "${config.database}" is not empty (${existing.length} relation(s), e.g. ${existing.slice(0, 3).join(', ')}): ` +
            'restore into an empty database, or pass --force to drop everything in it first',
        );
      }
      if (existing.length > 0) {
        // PostgreSQL 15's defaults for a new database's public schema.
        await client.query('BEGIN');
        await client.query('DROP SCHEMA IF EXISTS public CASCADE');
        await client.query('CREATE SCHEMA public AUTHORIZATION pg_database_owner');
        await client.query('GRANT USAGE ON SCHEMA public TO PUBLIC');
        await client.query('COMMIT');
        replaced = existing.length;
        const left = await userRelations(client);
        if (left.length > 0) throw new BackupRefusedError(`--force empties the public schema only; database "${config.database}" still holds ${left.slice(0, 3).join(', ')}`);
      }
      await runPostgresTool(
        pgRestore,
        ['--dbname', config.database ?? '', '--no-owner', '--no-privileges', '--exit-on-error', '--single-transaction', '--no-password', dumpFile],
        env,
      );
    } finally {
      await client.end().catch(() => {});
    }
    const { applied } = await migrate(databaseUrl, { migrationsDir });
    return { manifest, database: config.database ?? '', replaced, applied };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
