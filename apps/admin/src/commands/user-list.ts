import { EXIT, type AdminCommand } from '../command.js';
import { publicUser } from '../find-user.js';
import { formatTable, isoOrDash } from '../output.js';

export const userList: AdminCommand = {
  name: 'user:list',
  summary: 'List users (email, admin, disabled)',
  usage: 'pnpm admin user:list [--json]',
  async run(_args, ctx) {
    const users = await ctx.prisma.user.findMany({ orderBy: { createdAt: 'asc' } });
    ctx.out.result(
      users.map(publicUser),
      formatTable(
        ['id', 'email', 'admin', 'disabled', 'created'],
        users.map((user) => [user.id, user.email, user.isAdmin ? 'yes' : 'no', isoOrDash(user.disabledAt), user.createdAt.toISOString()]),
      ),
    );
    return EXIT.ok;
  },
};
