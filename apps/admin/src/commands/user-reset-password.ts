import { hashPassword } from '@omnichat/db';
import { audit } from '@omnichat/audit';

import { EXIT, type AdminCommand } from '../command.js';
import { findUserByEmail } from '../find-user.js';
import { endSessions } from '@omnichat/db/oidc-store';
import { PASSWORD_OPTIONS, PASSWORD_USAGE, readNewPassword } from '../password-input.js';

export const userResetPassword: AdminCommand = {
  name: 'user:reset-password',
  summary: "Set a user's password and end their browser sessions (connected apps stay connected)",
  usage: `pnpm admin user:reset-password <email> ${PASSWORD_USAGE} [--json]`,
  options: { ...PASSWORD_OPTIONS },
  positionals: { min: 1, max: 1 },
  async run(args, ctx) {
    const user = await findUserByEmail(ctx.prisma, args.positionals[0] ?? '');
    const password = await readNewPassword(args, ctx, user.email);
    await ctx.prisma.user.update({ where: { id: user.id }, data: { passwordHash: await hashPassword(password) } });
    const sessions = await endSessions(ctx.prisma, user.id);
    audit(ctx.log, { event: 'user.password_reset', accountId: user.id, by: 'admin_cli' });
    ctx.out.result({ id: user.id, email: user.email, sessionsEnded: sessions }, `password reset for ${user.email}; ${sessions} session(s) ended`);
    return EXIT.ok;
  },
};
