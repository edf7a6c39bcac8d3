import { audit } from '@omnichat/audit';

import { EXIT, flag, type AdminCommand } from '../command.js';
import { findUserByEmail, publicUser } from '../find-user.js';
import { endSessions, revokeGrants } from '@omnichat/db/oidc-store';

export const userDisable: AdminCommand = {
  name: 'user:disable',
  summary: 'Refuse sign-in for a user, end their sessions and revoke their grants (--enable undoes the first)',
  usage: 'pnpm admin user:disable <email> [--enable] [--json]',
  options: { enable: { type: 'boolean' } },
  positionals: { min: 1, max: 1 },
  async run(args, ctx) {
    const user = await findUserByEmail(ctx.prisma, args.positionals[0] ?? '');
    if (flag(args, 'enable')) {
      const updated = await ctx.prisma.user.update({ where: { id: user.id }, data: { disabledAt: null } });
      audit(ctx.log, { event: 'user.enabled', accountId: user.id, by: 'admin_cli' });
      ctx.out.result(publicUser(updated), `enabled ${updated.email}`);
      return EXIT.ok;
    }
    const updated = await ctx.prisma.user.update({ where: { id: user.id }, data: { disabledAt: user.disabledAt ?? ctx.now() } });
    audit(ctx.log, { event: 'user.disabled', accountId: user.id, by: 'admin_cli' });
    // findAccount already refuses a disabled user; deleting the grants also stops refresh at once.
    const grants = await revokeGrants(ctx.prisma, { accountId: user.id }, { log: ctx.log, by: 'admin_cli' });
    const sessions = await endSessions(ctx.prisma, user.id);
    ctx.out.result(
      { ...publicUser(updated), grantsRevoked: grants.length, sessionsEnded: sessions },
      `disabled ${updated.email}: ${grants.length} grant(s) revoked, ${sessions} session(s) ended`,
    );
    return EXIT.ok;
  },
};
