// `pnpm db:seed`: create or update the admin from ADMIN_EMAIL / ADMIN_PASSWORD and load kb/*.md into
// the knowledge base. Input is checked before any database work, so bad input writes nothing.
import { resolveDatabase } from '../database.js';
import { createPrismaClient } from '../client.js';
import { migrate } from '../migrate.js';
import { KB_DIR } from '../paths.js';
import { seed } from '../seed.js';
import { parseAdminSeedInput } from '../seed-input.js';
import { readKnowledgeBase } from '../seed-knowledge.js';
import { CliError, runCli } from './run-cli.js';

runCli(async () => {
  const input = parseAdminSeedInput(process.env);
  if (!input.ok) throw new CliError(`db:seed: nothing written: ${input.problems.join('; ')}.`);
  const articles = await readKnowledgeBase(KB_DIR).catch((error: unknown) => {
    throw new CliError(`db:seed: nothing written: ${error instanceof Error ? error.message : String(error)}`);
  });

  const database = await resolveDatabase(process.env);
  const prisma = createPrismaClient(database.url, { maxConnections: 2 });
  try {
    // A fresh embedded database has no tables yet; migrating is a no-op when it is current.
    await migrate(database.url);
    const result = await seed(prisma, input.value, articles);
    const { created, updated, unchanged } = result.knowledge;
    console.log(`db:seed: admin ${input.value.email} ${result.admin}; knowledge base: ${created} created, ${updated} updated, ${unchanged} unchanged.`);
  } finally {
    await prisma.$disconnect();
    await database.stop();
  }
});
