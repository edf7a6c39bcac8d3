import { audit } from '@omnichat/auth';
import { backupDatabase, BackupFileError, BackupRefusedError, PostgresToolError } from '@omnichat/db';
import { APP_VERSION } from '@omnichat/lifecycle';

import { CommandError, EXIT, UsageError, stringOption, type AdminCommand } from '../command.js';

export const backup: AdminCommand = {
  name: 'backup',
  summary: 'Write a consistent snapshot of the database (pg_dump custom format) and its manifest to a new file',
  usage: 'pnpm admin backup --out <file> [--json]   (needs pg_dump of the server\'s major version: PATH, the usual install directories or PG_BIN_DIR)',
  options: { out: { type: 'string' } },
  async run(args, ctx) {
    const out = stringOption(args, 'out');
    if (!out) throw new UsageError('--out <file> is required');
    const manifest = await backupDatabase(ctx.databaseUrl, out, { env: ctx.env, appVersion: APP_VERSION, now: ctx.now }).catch(asCommandError);
    audit(ctx.log, { event: 'database.backed_up', file: manifest.file, schemaMigration: manifest.schemaMigration, bytes: manifest.dump.bytes, by: 'admin_cli' });
    ctx.out.result(manifest, [
      `backup written to ${manifest.file}`,
      `  schema ${manifest.schemaMigration}, ${manifest.signingKeys.length} signing key(s) (${manifest.signingKeys.map((key) => key.kid).join(', ') || 'none'})`,
      `  PostgreSQL ${manifest.postgres.serverVersion}, dump ${manifest.dump.bytes} bytes, sha256 ${manifest.dump.sha256}`,
      'keep KEY_ENCRYPTION_SECRET beside it (elsewhere): without it the signing and SSH keys in it cannot be opened',
    ]);
    return EXIT.ok;
  },
};

/** The refusals of backup and restore become one-line command errors; anything else stays unexpected. */
export function asCommandError(error: unknown): never {
  if (error instanceof BackupRefusedError || error instanceof BackupFileError || error instanceof PostgresToolError) throw new CommandError(error.message);
  throw error;
}
