import { audit } from '@omnichat/audit';
import { resealSigningKeys } from '@omnichat/signing-keys';
import { resealSshPrivateKeys } from '@omnichat/ssh-hosts';

import { CommandError, EXIT, type AdminCommand } from '../command.js';
import { adminConfigFrom } from '../admin-config.js';

/**
 * The second step of changing KEY_ENCRYPTION_SECRET (docs/operations.md): every app already runs
 * with the new secret and the old one in KEY_ENCRYPTION_SECRET_PREVIOUS; this re-seals what is
 * stored under an old secret (signing keys, SSH keys) under the new one, in one transaction: a
 * value no configured secret opens refuses the whole run, naming the value, and nothing changes.
 */
export const secretsRotate: AdminCommand = {
  name: 'secrets:rotate',
  summary: 'Re-seal signing keys and SSH keys under KEY_ENCRYPTION_SECRET (old ones open with KEY_ENCRYPTION_SECRET_PREVIOUS)',
  usage: 'pnpm admin secrets:rotate [--json]   (run with the new KEY_ENCRYPTION_SECRET and the old one in KEY_ENCRYPTION_SECRET_PREVIOUS)',
  async run(_args, ctx) {
    const config = adminConfigFrom(ctx.env);
    if (config.usingDevKeySecret) throw new CommandError('KEY_ENCRYPTION_SECRET is unset: set the new secret there (and the old one in KEY_ENCRYPTION_SECRET_PREVIOUS) before re-sealing');
    const ring = config.keyRing;
    let result;
    try {
      result = await ctx.prisma.$transaction(async (tx) => ({ signingKeys: await resealSigningKeys(tx, ring), sshHosts: await resealSshPrivateKeys(tx, ring) }), { timeout: 30_000 });
    } catch (error) {
      if (error instanceof Error && /does not open/.test(error.message)) throw new CommandError(`${error.message}; nothing was re-sealed`);
      throw error;
    }
    const resealed = result.signingKeys.resealed.length + result.sshHosts.resealed.length;
    if (resealed === 0) {
      throw new CommandError(
        `nothing to re-seal: all ${result.signingKeys.upToDate} signing keys and ${result.sshHosts.upToDate} SSH keys are already sealed under this KEY_ENCRYPTION_SECRET ` +
          '(to change the secret, set the new one as KEY_ENCRYPTION_SECRET and the old one in KEY_ENCRYPTION_SECRET_PREVIOUS)',
      );
    }
    audit(ctx.log, { event: 'secrets.resealed', signingKeys: result.signingKeys.resealed, sshHosts: result.sshHosts.resealed, previousSecrets: ring.previous.length, by: 'admin_cli' });
    ctx.out.result(
      { signingKeys: result.signingKeys.resealed, sshHosts: result.sshHosts.resealed, alreadyCurrent: result.signingKeys.upToDate + result.sshHosts.upToDate },
      [
        `re-sealed ${result.signingKeys.resealed.length} signing keys and ${result.sshHosts.resealed.length} SSH keys under KEY_ENCRYPTION_SECRET`,
        ...result.signingKeys.resealed.map((kid) => `  signing key ${kid}`),
        ...result.sshHosts.resealed.map((name) => `  SSH host ${name}`),
        'Stored keys no longer need KEY_ENCRYPTION_SECRET_PREVIOUS; keep it set for one session lifetime (14 days) so',
        'browser sessions and open forms signed with the old secret still verify, then remove it and restart.',
      ],
    );
    return EXIT.ok;
  },
};
