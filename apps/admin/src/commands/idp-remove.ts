import { audit } from '@omnichat/audit';
import { removeIdentityProvider } from '@omnichat/sso';

import { CommandError, EXIT, flag, type AdminCommand } from '../command.js';

/** How many stranded accounts a refusal names before "and N more". */
const NAMED = 5;

export const idpRemove: AdminCommand = {
  name: 'idp:remove',
  summary: 'Disconnect an identity provider and unlink its accounts; refused while it is some account\'s only sign-in, unless --force',
  usage: 'pnpm admin idp:remove <name> [--force] [--json]   (--force also removes the only sign-in of accounts without a password)',
  options: { force: { type: 'boolean' } },
  positionals: { min: 1, max: 1 },
  async run(args, ctx) {
    const slug = args.positionals[0] ?? '';
    const force = flag(args, 'force');
    const outcome = await removeIdentityProvider(ctx.prisma, slug, { force });
    if (!outcome.removed && outcome.reason === 'not_found') throw new CommandError(`no identity provider named "${slug}"; see pnpm admin idp:list`);
    if (!outcome.removed) {
      const named = outcome.stranded.slice(0, NAMED).map((user) => user.email).join(', ');
      const more = outcome.stranded.length > NAMED ? ` and ${outcome.stranded.length - NAMED} more` : '';
      throw new CommandError(
        `${outcome.stranded.length} account(s) sign in only through "${slug}" (${named}${more}): give them a password ` +
        '(pnpm admin user:reset-password) or pass --force to remove it anyway',
      );
    }
    audit(ctx.log, { event: 'idp.removed', provider: slug, unlinkedAccounts: outcome.unlinked, strandedAccounts: outcome.stranded.length, forced: force, by: 'admin_cli' });
    ctx.out.result(
      { name: slug, unlinkedAccounts: outcome.unlinked, strandedAccounts: outcome.stranded.map((user) => user.email) },
      [
        `removed ${slug}: ${outcome.unlinked} account link(s) deleted`,
        ...(outcome.stranded.length > 0 ? [`${outcome.stranded.length} account(s) now have no way to sign in: ${outcome.stranded.map((user) => user.email).join(', ')}`] : []),
      ],
    );
    return EXIT.ok;
  },
};
