// @omnichat/db: the Prisma client factory, migrations, the database the apps use, password hashing,
// and the admin / knowledge-base seed.
export { createPrismaClient, sqlPool, type PrismaClientOptions } from './client.js';
export { databaseStopSteps, resolveDatabase, type DatabaseEnv, type ResolvedDatabase } from './database.js';
export { migrate, type MigrateOptions, type MigrateResult } from './migrate.js';
export { diffMigrationsToSchema, type DiffOptions } from './diff.js';
export { createMigration, type CreateMigrationOptions, type CreateMigrationResult } from './create-migration.js';
export { hashPassword, verifyPassword, normaliseEmail } from './password.js';
export { isUuid } from './uuid.js';
export { createResetLink, removeAllFactors, resetTokenHash, RESET_PATH } from './account-recovery.js';
export { parseAdminSeedInput, MIN_ADMIN_PASSWORD_LENGTH, type AdminSeedInput, type AdminSeedParse } from './seed-input.js';
export { seedAdmin, type AdminSeedOutcome } from './seed-admin.js';
export {
  readKnowledgeBase,
  loadKnowledgeBase,
  parseKnowledgeArticle,
  type KnowledgeArticleInput,
  type KnowledgeLoadResult,
} from './seed-knowledge.js';
export { seed, type SeedResult } from './seed.js';
export { PrismaClient, Prisma } from './generated/client.js';
export type {
  User,
  OidcPayload,
  SigningKey,
  File,
  Conversation,
  Message,
  KnowledgeArticle,
  SshHost,
  SshGrant,
  SshExecution,
  IdentityProvider,
  ExternalIdentity,
  SsoLogin,
} from './generated/client.js';
export {
  backupDatabase,
  restoreDatabase,
  readBackupArchive,
  findPostgresTool,
  BackupRefusedError,
  BackupFileError,
  PostgresToolError,
  PG_BIN_DIR_ENV,
  type BackupManifest,
  type RestoreResult,
} from './backup/index.js';
