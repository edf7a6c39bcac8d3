import { audit } from '@omnichat/audit';
import { endSessions, revokeGrants } from '@omnichat/db/oidc-store';

import { CommandError, EXIT, type AdminCommand } from '../command.js';
import { findUserByEmail } from '../find-user.js';

export const userDelete: AdminCommand = {
  name: 'user:delete',
  summary: "Delete a user: revoke their grants (refresh tokens, codes), end their sessions, delete their files, conversations and SSH grants",
  usage: 'pnpm admin user:delete <email> [--json]   (refuses the last admin who can sign in)',
  positionals: { min: 1, max: 1 },
  async run(args, ctx) {
    const user = await findUserByEmail(ctx.prisma, args.positionals[0] ?? '');
    if (user.isAdmin && user.disabledAt === null) {
      const otherAdmins = await ctx.prisma.user.count({ where: { isAdmin: true, disabledAt: null, id: { not: user.id } } });
      if (otherAdmins === 0) throw new CommandError(`${user.email} is the last admin who can sign in: make another user an admin first (user:add --admin)`);
    }
    // Grants first: their refresh tokens stop at once and the MCP app refuses their access tokens
    // within REVOCATION_CACHE_MS; then browser sessions; then the row, whose files, conversations
    // and SSH grants go with it (ON DELETE CASCADE). SSH audit rows are kept: they name the user by id.
    const grants = await revokeGrants(ctx.prisma, { accountId: user.id }, { log: ctx.log, by: 'admin_cli' });
    const sessions = await endSessions(ctx.prisma, user.id);
    await ctx.prisma.user.delete({ where: { id: user.id } });
    audit(ctx.log, { event: 'user.deleted', accountId: user.id, wasAdmin: user.isAdmin, grantsRevoked: grants.length, sessionsEnded: sessions, by: 'admin_cli' });
    ctx.out.result(
      { id: user.id, email: user.email, wasAdmin: user.isAdmin, grantsRevoked: grants.length, sessionsEnded: sessions },
      `deleted ${user.email} (${user.id}): ${grants.length} grant(s) revoked, ${sessions} session(s) ended`,
    );
    return EXIT.ok;
  },
};
