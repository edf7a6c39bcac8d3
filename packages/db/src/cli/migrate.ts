// `pnpm db:migrate`: apply prisma/migrations to DATABASE_URL (or the embedded Postgres), offline.
import { resolveDatabase } from '../database.js';
import { migrate } from '../migrate.js';
import { runCli } from './run-cli.js';

runCli(async () => {
  const database = await resolveDatabase(process.env);
  try {
    const { applied } = await migrate(database.url);
    console.log(
      applied.length === 0
        ? 'db:migrate: database is up to date, nothing applied.'
        : `db:migrate: applied ${applied.length} migration(s):\n${applied.map((name) => `  ${name}`).join('\n')}`,
    );
  } finally {
    await database.stop();
  }
});
