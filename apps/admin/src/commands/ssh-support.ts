// What the ssh:* admin commands share: lookups that refuse with one clear line, and a host as printed.
import type { PrismaClient, SshHost, User } from '@omnichat/db';

import { CommandError, UsageError, stringOption, type CommandArgs } from '../command.js';
import { findUserByEmail } from '../find-user.js';

export async function findSshHost(prisma: PrismaClient, name: string): Promise<SshHost> {
  const host = await prisma.sshHost.findUnique({ where: { name } });
  if (!host) throw new CommandError(`no approved SSH host named "${name}" (pnpm admin ssh:host:list shows them)`);
  return host;
}

/** The `--user <email> --host <name>` pair of ssh:grant and ssh:revoke, both looked up. */
export async function findUserAndSshHost(prisma: PrismaClient, args: CommandArgs): Promise<{ user: User; host: SshHost }> {
  const email = stringOption(args, 'user');
  const name = stringOption(args, 'host');
  if (!email || !name) throw new UsageError('--user and --host are both required');
  return { user: await findUserByEmail(prisma, email), host: await findSshHost(prisma, name) };
}

/** A host as commands print it: never the sealed key. */
export const publicSshHost = (host: SshHost) => ({
  id: host.id,
  name: host.name,
  address: host.address,
  port: host.port,
  username: host.username,
  hostKey: host.hostKey,
  commandAllowList: host.commandAllowList,
  createdAt: host.createdAt,
});
