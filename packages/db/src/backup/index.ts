export { backupDatabase, BackupRefusedError, type BackupOptions } from './backup.js';
export { restoreDatabase, type RestoreOptions, type RestoreResult } from './restore.js';
export { BackupFileError, readBackupArchive } from './archive.js';
export { backupManifestSchema, BACKUP_FORMAT, BACKUP_FORMAT_VERSION, DUMP_ENTRY, MANIFEST_ENTRY, type BackupManifest } from './manifest.js';
export { findPostgresTool, PostgresToolError, PG_BIN_DIR_ENV, type PostgresTool } from './postgres-tools.js';
