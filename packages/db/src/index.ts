// @omnichat/db: the Prisma client factory, migrations, the database the apps use, password hashing.
export { createPrismaClient, type PrismaClientOptions } from './client.js';
export { resolveDatabase, type DatabaseEnv, type ResolvedDatabase } from './database.js';
export { migrate, type MigrateOptions, type MigrateResult } from './migrate.js';
export { diffMigrationsToSchema, type DiffOptions } from './diff.js';
export { hashPassword, verifyPassword, normaliseEmail } from './password.js';
export { PrismaClient, Prisma } from './generated/client.js';
export type {
  User,
  OidcPayload,
  SigningKey,
  File,
  Conversation,
  Message,
  KnowledgeArticle,
} from './generated/client.js';
