// `prisma migrate deploy` without the Prisma CLI binary: the WASM schema engine applies
// prisma/migrations and records each in `_prisma_migrations`, the same table, checksums and rows the
// CLI writes, so either tool can take over a database from the other.
import pg from 'pg';
import { parseIntoClientConfig } from 'pg-connection-string';
import { listMigrations } from './migrations-directory.js';
import { MIGRATIONS_DIR } from './paths.js';
import { NO_SCHEMA_FILTER, openSchemaEngine, withEnginePanic } from './schema-engine.js';

/**
 * Serialises concurrent `migrate` runs (two replicas starting at once). Deliberately not Prisma's own
 * key (72707369), which the engine may take on its own connection while we hold ours.
 */
export const MIGRATE_ADVISORY_LOCK_KEY = 7_270_736_901;
const MIGRATE_LOCK_WAIT_MS = 300_000;

export interface MigrateOptions {
  migrationsDir?: string;
}

export interface MigrateResult {
  /** Migration folder names applied by this run, in order; empty when the database was up to date. */
  applied: string[];
}

/** Applies every pending migration. Idempotent, and safe to run from several processes at once. */
export async function migrate(databaseUrl: string, options: MigrateOptions = {}): Promise<MigrateResult> {
  const migrations = await listMigrations(options.migrationsDir ?? MIGRATIONS_DIR);
  await ensureDatabaseExists(databaseUrl);
  const lock = new pg.Client(parseIntoClientConfig(databaseUrl));
  // A dropped connection rejects the pending query; without a listener it would also crash the process.
  lock.on('error', () => {});
  await lock.connect();
  try {
    // lock_timeout also bounds advisory lock waits: a stuck peer fails us loudly instead of forever.
    await lock.query(`SET lock_timeout = ${MIGRATE_LOCK_WAIT_MS}`);
    await lock.query('SELECT pg_advisory_lock($1)', [MIGRATE_ADVISORY_LOCK_KEY]);
    const { engine, close } = await openSchemaEngine(databaseUrl);
    try {
      const { appliedMigrationNames } = await engine.applyMigrations({ migrationsList: migrations, filters: NO_SCHEMA_FILTER });
      return { applied: appliedMigrationNames };
    } catch (error) {
      throw withEnginePanic(error);
    } finally {
      await close();
    }
  } finally {
    // Ending the session releases the advisory lock even if the unlock query never ran.
    await lock.end();
  }
}

const INVALID_CATALOG_NAME = '3D000';
const DUPLICATE_DATABASE = '42P04';

/** Like `prisma migrate deploy`, create the target database when the server has none by that name. */
export async function ensureDatabaseExists(databaseUrl: string): Promise<void> {
  const config = parseIntoClientConfig(databaseUrl);
  const probe = new pg.Client(config);
  try {
    await probe.connect();
    return;
  } catch (error) {
    if ((error as { code?: string }).code !== INVALID_CATALOG_NAME || !config.database) throw error;
  } finally {
    await probe.end().catch(() => {});
  }
  const admin = new pg.Client({ ...config, database: 'postgres' });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(config.database)}`);
  } catch (error) {
    if ((error as { code?: string }).code !== DUPLICATE_DATABASE) throw error;
  } finally {
    await admin.end();
  }
}
