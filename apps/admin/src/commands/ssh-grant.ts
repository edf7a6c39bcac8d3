import { audit } from '@omnichat/audit';

import { EXIT, type AdminCommand } from '../command.js';
import { findUserAndSshHost } from './ssh-support.js';

export const sshGrant: AdminCommand = {
  name: 'ssh:grant',
  summary: 'Let a user run commands on an approved SSH host (their token still needs the ssh:execute scope)',
  usage: 'pnpm admin ssh:grant --user <email> --host <name> [--json]',
  options: { user: { type: 'string' }, host: { type: 'string' } },
  async run(args, ctx) {
    const { user, host } = await findUserAndSshHost(ctx.prisma, args);
    const existing = await ctx.prisma.sshGrant.findUnique({ where: { userId_hostId: { userId: user.id, hostId: host.id } } });
    if (!existing) {
      await ctx.prisma.sshGrant.upsert({
        where: { userId_hostId: { userId: user.id, hostId: host.id } },
        create: { userId: user.id, hostId: host.id },
        update: {},
      });
      audit(ctx.log, { event: 'ssh.granted', host: host.name, accountId: user.id, by: 'admin_cli' });
    }
    ctx.out.result(
      { user: user.email, host: host.name, alreadyGranted: existing !== null },
      existing ? `${user.email} already has ${host.name}` : `granted ${host.name} to ${user.email}`,
    );
    return EXIT.ok;
  },
};
