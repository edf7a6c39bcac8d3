// What SQL would take the database the migrations build to the one schema.prisma describes: the
// engine replays the migrations into a temporary shadow database and compares (exactly what
// `prisma migrate diff --from-migrations --to-schema` does). Empty means they agree.
import { readFile } from 'node:fs/promises';
import { listMigrations, withDefaultLockfile } from './migrations-directory.js';
import { MIGRATIONS_DIR, SCHEMA_PATH } from './paths.js';
import { NO_SCHEMA_FILTER, openSchemaEngine, withEnginePanic } from './schema-engine.js';

export interface DiffOptions {
  migrationsDir?: string;
  schemaPath?: string;
}

/**
 * Returns the SQL script from the migrations to the schema, or '' when there is nothing to do.
 * `databaseUrl` only hosts the shadow database (created and dropped here): the role needs CREATEDB.
 */
export async function diffMigrationsToSchema(databaseUrl: string, options: DiffOptions = {}): Promise<string> {
  const schemaPath = options.schemaPath ?? SCHEMA_PATH;
  const [migrations, schema] = await Promise.all([
    listMigrations(options.migrationsDir ?? MIGRATIONS_DIR),
    readFile(schemaPath, 'utf8'),
  ]);
  const { engine, close } = await openSchemaEngine(databaseUrl);
  try {
    const result = await engine.diff({
      from: { tag: 'migrations', ...withDefaultLockfile(migrations) },
      to: { tag: 'schemaDatamodel', files: [{ path: schemaPath, content: schema }] },
      script: true,
      // exitCode 2 means "not empty"; an empty diff still prints a comment line in the script.
      exitCode: true,
      filters: NO_SCHEMA_FILTER,
    });
    return result.exitCode === 2 ? (result.stdout ?? '') : '';
  } catch (error) {
    throw withEnginePanic(error);
  } finally {
    await close();
  }
}
