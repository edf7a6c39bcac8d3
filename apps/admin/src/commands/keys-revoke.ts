import { audit } from '@omnichat/audit';
import { RevocationRefusedError, revokeSigningKey } from '@omnichat/signing-keys';

import { CommandError, EXIT, flag, type AdminCommand } from '../command.js';
import { adminConfigFrom } from '../admin-config.js';

/** The MCP app's default poll of revoked kids (KEY_REVOCATION_POLL_SECONDS); the output states the bound with it. */
const MCP_DEFAULT_REVOCATION_POLL_SECONDS = 5;

export const keysRevoke: AdminCommand = {
  name: 'keys:revoke',
  summary: 'Revoke a leaked signing key now: off /jwks, its tokens refused, the next key promoted if it was signing',
  usage: 'pnpm admin keys:revoke <kid> [--new-key] [--json]   (--new-key: when no next key exists, sign with a fresh key at once)',
  options: { 'new-key': { type: 'boolean' } },
  positionals: { min: 1, max: 1 },
  async run(args, ctx) {
    const config = adminConfigFrom(ctx.env);
    const kid = args.positionals[0] ?? '';
    let result;
    try {
      result = await revokeSigningKey(ctx.prisma, config.keyEncryptionSecret, kid, { now: ctx.now(), newKey: flag(args, 'new-key') });
    } catch (error) {
      if (error instanceof RevocationRefusedError) throw new CommandError(error.message);
      throw error;
    }
    audit(ctx.log, { event: 'key.revoked', kid: result.kid, wasState: result.wasState, currentKid: result.currentKid, nextKid: result.nextKid, by: 'admin_cli' });
    ctx.out.result(result, [
      `revoked ${result.kid} (was ${result.wasState}); its private half is wiped`,
      `current (signing): ${result.currentKid}`,
      `next (published):  ${result.nextKid}`,
      `every auth replica drops it from /jwks and stops signing and accepting with it within KEY_SET_POLL_SECONDS (${config.keys.keySetPollSeconds} s);`,
      `the MCP app refuses tokens naming it within KEY_REVOCATION_POLL_SECONDS (default ${MCP_DEFAULT_REVOCATION_POLL_SECONDS} s).`,
    ]);
    return EXIT.ok;
  },
};
