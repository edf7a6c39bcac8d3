// `pnpm db:seed` as a function: the admin user and the knowledge base in one transaction, so a
// failure part-way leaves the database as it was.
import type { PrismaClient } from './generated/client.js';
import { seedAdmin, type AdminSeedOutcome } from './seed-admin.js';
import type { AdminSeedInput } from './seed-input.js';
import { loadKnowledgeBase, type KnowledgeArticleInput, type KnowledgeLoadResult } from './seed-knowledge.js';

/** Room for an argon2 hash and a few dozen upserts on a slow CI machine (Prisma's default is 5 s). */
const SEED_TRANSACTION_TIMEOUT_MS = 30_000;

export interface SeedResult {
  admin: AdminSeedOutcome;
  knowledge: KnowledgeLoadResult;
}

export async function seed(prisma: PrismaClient, admin: AdminSeedInput, articles: KnowledgeArticleInput[]): Promise<SeedResult> {
  return prisma.$transaction(
    async (tx) => ({
      admin: await seedAdmin(tx, admin),
      knowledge: await loadKnowledgeBase(tx, articles),
    }),
    { timeout: SEED_TRANSACTION_TIMEOUT_MS },
  );
}
