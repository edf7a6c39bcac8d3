// `pnpm db:migration <name>`: write a new migration for the change in prisma/schema.prisma, offline.
// The diff replays prisma/migrations into a temporary shadow database on DATABASE_URL's server (or
// the embedded Postgres); nothing else in that database is touched.
import path from 'node:path';
import { createMigration } from '../create-migration.js';
import { resolveDatabase } from '../database.js';
import { REPO_ROOT } from '../paths.js';
import { CliError, runCli } from './run-cli.js';

runCli(async () => {
  const name = process.argv.slice(2).join(' ').trim();
  if (!name) throw new CliError('usage: pnpm db:migration <name>   (e.g. pnpm db:migration add_file_tags)');
  const database = await resolveDatabase(process.env);
  try {
    const result = await createMigration(database.url, name).catch((error: unknown) => {
      if (error instanceof TypeError) throw new CliError(`db:migration: ${error.message}`);
      throw error;
    });
    if (!result.created) {
      throw new CliError('db:migration: prisma/schema.prisma and prisma/migrations already agree; no migration written.');
    }
    console.log(`db:migration: wrote ${path.relative(REPO_ROOT, result.folder)}/migration.sql — review it, then pnpm db:migrate`);
  } finally {
    await database.stop();
  }
});
