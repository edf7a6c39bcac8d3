import { EXIT, type AdminCommand } from '../command.js';
import { formatTable } from '../output.js';
import { publicSshHost } from './ssh-support.js';

export const sshHostList: AdminCommand = {
  name: 'ssh:host:list',
  summary: 'List approved SSH hosts with their pinned key, allow-list and granted users',
  usage: 'pnpm admin ssh:host:list [--json]',
  async run(_args, ctx) {
    const hosts = await ctx.prisma.sshHost.findMany({
      orderBy: { name: 'asc' },
      include: { grants: { include: { user: { select: { email: true } } }, orderBy: { createdAt: 'asc' } } },
    });
    const rows = hosts.map((host) => ({ ...publicSshHost(host), users: host.grants.map((grant) => grant.user.email) }));
    ctx.out.result(
      rows,
      formatTable(
        ['name', 'target', 'host key', 'allow-list', 'users'],
        rows.map((host) => [
          host.name,
          `${host.username}@${host.address}:${host.port}`,
          `${host.hostKey.slice(0, 32)}…`,
          host.commandAllowList.length > 0 ? host.commandAllowList.join(' | ') : 'any',
          host.users.join(', ') || '-',
        ]),
      ),
    );
    return EXIT.ok;
  },
};
