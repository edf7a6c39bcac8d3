// manifest.json of a backup file (docs/operations.md, "Backup and recovery"): what the dump holds
// and what restoring it needs, checked before anything touches the target database.
import { z } from 'zod';

export const BACKUP_FORMAT = 'omnichat-backup';
export const BACKUP_FORMAT_VERSION = 1;
/** The tar entry names, in this order. */
export const MANIFEST_ENTRY = 'manifest.json';
export const DUMP_ENTRY = 'database.pgdump';

export const backupManifestSchema = z.object({
  format: z.literal(BACKUP_FORMAT),
  formatVersion: z.literal(BACKUP_FORMAT_VERSION),
  /** When the snapshot was taken (ISO 8601, UTC). */
  createdAt: z.iso.datetime(),
  /** The root package.json version of the build that made it. */
  appVersion: z.string().min(1),
  /** The latest applied Prisma migration (folder name under prisma/migrations). */
  schemaMigration: z.string().min(1),
  /** Every applied migration, in order. */
  migrations: z.array(z.string().min(1)).min(1),
  /** The signing keys in the dump; their private halves are sealed under KEY_ENCRYPTION_SECRET. */
  signingKeys: z.array(z.object({ kid: z.string(), alg: z.string(), state: z.string() })),
  postgres: z.object({
    /** The server's version, e.g. "15.20"; restore needs a server of this major or newer. */
    serverVersion: z.string(),
    serverMajor: z.number().int().positive(),
    pgDumpVersion: z.string(),
    pgDumpMajor: z.number().int().positive(),
  }),
  dump: z.object({
    entry: z.literal(DUMP_ENTRY),
    /** pg_dump's custom format (`pg_dump --format=custom`). */
    format: z.literal('custom'),
    bytes: z.number().int().positive(),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
  }),
});

export type BackupManifest = z.infer<typeof backupManifestSchema>;
