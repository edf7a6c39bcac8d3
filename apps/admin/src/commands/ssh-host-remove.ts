import { audit } from '@omnichat/audit';

import { EXIT, type AdminCommand } from '../command.js';
import { findSshHost } from './ssh-support.js';

export const sshHostRemove: AdminCommand = {
  name: 'ssh:host:remove',
  summary: 'Withdraw an SSH host: its key and every grant on it are deleted (audit rows stay)',
  usage: 'pnpm admin ssh:host:remove <name> [--json]',
  positionals: { min: 1, max: 1 },
  async run(args, ctx) {
    const host = await findSshHost(ctx.prisma, args.positionals[0] ?? '');
    const grants = await ctx.prisma.sshGrant.count({ where: { hostId: host.id } });
    // Grants go with the host (ON DELETE CASCADE); a call already running finishes, none can start.
    await ctx.prisma.sshHost.delete({ where: { id: host.id } });
    audit(ctx.log, { event: 'ssh.host_removed', host: host.name, grantsRemoved: grants, by: 'admin_cli' });
    ctx.out.result({ name: host.name, grantsRemoved: grants }, `removed ${host.name} and ${grants} grant(s)`);
    return EXIT.ok;
  },
};
