// `pnpm db:migration <name>` as a function: diff prisma/migrations against schema.prisma offline and
// write the difference as a new migration folder, as `prisma migrate dev --create-only` would.
import { diffMigrationsToSchema } from './diff.js';
import { migrationFolderName, writeMigration } from './migrations-directory.js';
import { MIGRATIONS_DIR, SCHEMA_PATH } from './paths.js';

export interface CreateMigrationOptions {
  migrationsDir?: string;
  schemaPath?: string;
  now?: Date;
}

export type CreateMigrationResult = { created: true; folder: string; sql: string } | { created: false };

export async function createMigration(databaseUrl: string, name: string, options: CreateMigrationOptions = {}): Promise<CreateMigrationResult> {
  const migrationsDir = options.migrationsDir ?? MIGRATIONS_DIR;
  // Validate the name before the (slower) diff, so a typo fails at once.
  const folderName = migrationFolderName(name, options.now ?? new Date());
  const sql = await diffMigrationsToSchema(databaseUrl, { migrationsDir, schemaPath: options.schemaPath ?? SCHEMA_PATH });
  if (!sql.trim()) return { created: false };
  const folder = await writeMigration(migrationsDir, folderName, sql);
  return { created: true, folder, sql };
}
