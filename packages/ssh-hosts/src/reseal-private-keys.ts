import type { Prisma } from '@omnichat/db';
import { openSealed, SealedSecretError, type SecretRing } from '@omnichat/secrets';

import { sealPrivateKey, SSH_PRIVATE_KEY_PURPOSE } from './private-key.js';

/**
 * Re-seals every approved SSH host's private key under the ring's current secret, inside the
 * caller's transaction. A key no secret of the ring opens throws, naming the host (never a
 * secret), so the caller's transaction writes nothing.
 */
export async function resealSshPrivateKeys(tx: Prisma.TransactionClient, ring: SecretRing): Promise<{ resealed: string[]; upToDate: number }> {
  const hosts = await tx.sshHost.findMany({ select: { id: true, name: true, privateKeyEncrypted: true }, orderBy: { name: 'asc' } });
  const stale = hosts
    .map((host) => ({ host, opened: openHostKey(host, ring) }))
    .filter((entry) => !entry.opened.upToDate);
  for (const { host, opened } of stale) {
    await tx.sshHost.update({ where: { id: host.id }, data: { privateKeyEncrypted: sealPrivateKey(opened.plaintext, ring.current, host.id) } });
  }
  return { resealed: stale.map((entry) => entry.host.name), upToDate: hosts.length - stale.length };
}

function openHostKey(host: { id: string; name: string; privateKeyEncrypted: string }, ring: SecretRing) {
  try {
    return openSealed(host.privateKeyEncrypted, ring, SSH_PRIVATE_KEY_PURPOSE, host.id);
  } catch (error) {
    if (!(error instanceof SealedSecretError)) throw error;
    throw new Error(`the SSH key of host "${host.name}" does not open: ${error.message}`, { cause: error });
  }
}
