import { audit } from '@omnichat/audit';
import { RotationTooEarlyError, rotateSigningKeys } from '@omnichat/signing-keys';

import { CommandError, EXIT, flag, type AdminCommand } from '../command.js';
import { adminConfigFrom } from '../admin-config.js';

export const keysRotate: AdminCommand = {
  name: 'keys:rotate',
  summary: 'Rotate signing keys now: next → current, current → retired, a fresh next; replicas follow within KEY_SET_POLL_SECONDS',
  usage: 'pnpm admin keys:rotate [--force] [--json]   (--force promotes a next key published less than KEY_PUBLISH_LEAD_SECONDS ago)',
  options: { force: { type: 'boolean' } },
  async run(args, ctx) {
    const config = adminConfigFrom(ctx.env);
    try {
      const result = await rotateSigningKeys(ctx.prisma, config.keyEncryptionSecret, { timings: config.keys, now: ctx.now(), force: flag(args, 'force') });
      audit(ctx.log, { event: 'key.rotated', currentKid: result.currentKid, retiredKid: result.retiredKid, nextKid: result.nextKid, by: 'admin_cli' });
      for (const kid of result.deletedKids) audit(ctx.log, { event: 'key.deleted', kid, by: 'admin_cli' });
      ctx.out.result(result, [
        `current (signing): ${result.currentKid}`,
        `retired:           ${result.retiredKid ?? '-'}`,
        `next (published):  ${result.nextKid}`,
        ...(result.deletedKids.length > 0 ? [`deleted expired:   ${result.deletedKids.join(', ')}`] : []),
        `auth replicas pick this up within KEY_SET_POLL_SECONDS (${config.keys.keySetPollSeconds} s).`,
      ]);
      return EXIT.ok;
    } catch (error) {
      if (error instanceof RotationTooEarlyError) throw new CommandError(`${error.message.replace('(or force)', '(or pass --force)')}`);
      throw error;
    }
  },
};
