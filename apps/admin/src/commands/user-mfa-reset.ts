import { audit } from '@omnichat/audit';
import { removeAllFactors } from '@omnichat/db';

import { EXIT, type AdminCommand } from '../command.js';
import { findUserByEmail } from '../find-user.js';
import { endSessions } from '@omnichat/db/oidc-store';

export const userMfaReset: AdminCommand = {
  name: 'user:mfa-reset',
  summary: "Remove a user's authenticator app, recovery codes and passkeys, and end their sessions",
  usage: 'pnpm admin user:mfa-reset <email> [--json]',
  positionals: { min: 1, max: 1 },
  async run(args, ctx) {
    const user = await findUserByEmail(ctx.prisma, args.positionals[0] ?? '');
    const removed = await removeAllFactors(ctx.prisma, user.id);
    const sessions = await endSessions(ctx.prisma, user.id);
    audit(ctx.log, { event: 'mfa.reset', accountId: user.id, ...removed, by: 'admin_cli' });
    ctx.out.result(
      { id: user.id, email: user.email, ...removed, sessionsEnded: sessions },
      `second factors removed for ${user.email}: authenticator app ${removed.totp ? 'removed' : 'none'}, ${removed.passkeys} passkey(s), ${removed.recoveryCodes} recovery code(s); ${sessions} session(s) ended`,
    );
    return EXIT.ok;
  },
};
