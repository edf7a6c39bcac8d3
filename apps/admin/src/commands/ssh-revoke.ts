import { audit } from '@omnichat/audit';

import { CommandError, EXIT, type AdminCommand } from '../command.js';
import { findUserAndSshHost } from './ssh-support.js';

export const sshRevoke: AdminCommand = {
  name: 'ssh:revoke',
  summary: "Withdraw a user's access to an SSH host (calls already running finish)",
  usage: 'pnpm admin ssh:revoke --user <email> --host <name> [--json]',
  options: { user: { type: 'string' }, host: { type: 'string' } },
  async run(args, ctx) {
    const { user, host } = await findUserAndSshHost(ctx.prisma, args);
    const { count } = await ctx.prisma.sshGrant.deleteMany({ where: { userId: user.id, hostId: host.id } });
    if (count === 0) throw new CommandError(`${user.email} has no grant on ${host.name}`);
    audit(ctx.log, { event: 'ssh.revoked', host: host.name, accountId: user.id, by: 'admin_cli' });
    ctx.out.result({ user: user.email, host: host.name }, `revoked ${host.name} from ${user.email}`);
    return EXIT.ok;
  },
};
