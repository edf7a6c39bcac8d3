import { audit } from '@omnichat/audit';
import { restoreDatabase } from '@omnichat/db';

import { EXIT, UsageError, flag, stringOption, type AdminCommand } from '../command.js';
import { asCommandError, fromInvocationDirectory } from './backup-support.js';

export const restore: AdminCommand = {
  name: 'restore',
  summary: 'Restore a backup file into an empty database (DATABASE_URL), then apply newer migrations',
  usage: 'pnpm admin restore --in <file> [--force] [--json]   (--force drops everything in the target database first)',
  options: { in: { type: 'string' }, force: { type: 'boolean' } },
  async run(args, ctx) {
    const file = stringOption(args, 'in');
    if (!file) throw new UsageError('--in <file> is required');
    const result = await restoreDatabase(ctx.databaseUrl, fromInvocationDirectory(file, ctx.env), { env: ctx.env, force: flag(args, 'force') }).catch(asCommandError);
    const { manifest } = result;
    audit(ctx.log, { event: 'database.restored', database: result.database, schemaMigration: manifest.schemaMigration, backupCreatedAt: manifest.createdAt, replacedRelations: result.replaced, migrationsApplied: result.applied.length, by: 'admin_cli' });
    ctx.out.result(
      { database: result.database, replacedRelations: result.replaced, migrationsApplied: result.applied, manifest },
      [
        `restored the backup of ${manifest.createdAt} (version ${manifest.appVersion}, schema ${manifest.schemaMigration}) into database "${result.database}"`,
        ...(result.replaced > 0 ? [`  replaced ${result.replaced} relation(s) that were there (--force)`] : []),
        result.applied.length > 0 ? `  applied ${result.applied.length} newer migration(s): ${result.applied.join(', ')}` : '  schema is current',
        `  signing keys: ${manifest.signingKeys.map((key) => `${key.kid} (${key.state})`).join(', ') || 'none'}; start the apps with the KEY_ENCRYPTION_SECRET they were sealed with`,
      ],
    );
    return EXIT.ok;
  },
};
