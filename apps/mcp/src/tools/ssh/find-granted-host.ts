import { isUuid, type PrismaClient, type SshHost } from '@omnichat/db';
import { isHostName } from '@omnichat/ssh-hosts';

export type HostLookup =
  | { kind: 'host_not_approved' }
  | { kind: 'not_granted' }
  | { kind: 'granted'; host: SshHost };

/**
 * The approved host called exactly `name`, if `userId` holds a grant for it (docs/security.md
 * RS-28). Byte-for-byte: no case folding, trimming, port or user parsing, DNS or IP forms — any
 * of those is a different name, and names are only ever created by an admin.
 */
export async function findGrantedHost(prisma: PrismaClient, userId: string, name: string): Promise<HostLookup> {
  if (!isHostName(name)) return { kind: 'host_not_approved' };
  const host = await prisma.sshHost.findUnique({ where: { name } });
  if (!host) return { kind: 'host_not_approved' };
  if (!isUuid(userId)) return { kind: 'not_granted' };
  const grant = await prisma.sshGrant.findUnique({
    where: { userId_hostId: { userId: userId.toLowerCase(), hostId: host.id } },
    select: { hostId: true },
  });
  return grant ? { kind: 'granted', host } : { kind: 'not_granted' };
}

/** The hosts `userId` may use, by name. */
export async function listGrantedHosts(prisma: PrismaClient, userId: string): Promise<SshHost[]> {
  if (!isUuid(userId)) return [];
  return prisma.sshHost.findMany({ where: { grants: { some: { userId: userId.toLowerCase() } } }, orderBy: { name: 'asc' } });
}
