import { audit } from '@omnichat/audit';
import { backupDatabase } from '@omnichat/db';
import { APP_VERSION } from '@omnichat/lifecycle';

import { EXIT, UsageError, stringOption, type AdminCommand } from '../command.js';
import { asCommandError, fromInvocationDirectory } from './backup-support.js';

export const backup: AdminCommand = {
  name: 'backup',
  summary: 'Write a consistent snapshot of the database (pg_dump custom format) and its manifest to a new file',
  usage: 'pnpm admin backup --out <file> [--json]   (needs pg_dump of the server\'s major version: PATH, the usual install directories or PG_BIN_DIR)',
  options: { out: { type: 'string' } },
  async run(args, ctx) {
    const out = stringOption(args, 'out');
    if (!out) throw new UsageError('--out <file> is required');
    const manifest = await backupDatabase(ctx.databaseUrl, fromInvocationDirectory(out, ctx.env), { env: ctx.env, appVersion: APP_VERSION, now: ctx.now }).catch(asCommandError);
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
