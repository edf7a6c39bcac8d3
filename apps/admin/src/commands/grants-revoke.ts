import { CommandError, EXIT, UsageError, stringOption, type AdminCommand } from '../command.js';
import { findUserByEmail } from '../find-user.js';
import { listClients, revokeGrants } from '@omnichat/db/oidc-store';

export const grantsRevoke: AdminCommand = {
  name: 'grants:revoke',
  summary: "Revoke every grant (refresh tokens, codes) of a user or of a client",
  usage: 'pnpm admin grants:revoke (--user <email> | --client <client_id>) [--json]',
  options: { user: { type: 'string' }, client: { type: 'string' } },
  async run(args, ctx) {
    const email = stringOption(args, 'user');
    const clientId = stringOption(args, 'client');
    if ((email === undefined) === (clientId === undefined)) throw new UsageError('give exactly one of --user or --client');
    let owner: { accountId: string } | { clientId: string };
    if (email !== undefined) owner = { accountId: (await findUserByEmail(ctx.prisma, email)).id };
    else {
      // CIMD clients have no row but may hold grants, so only refuse ids nothing was ever issued to.
      const known = (await listClients(ctx.prisma, clientId)).length > 0;
      const grants = await revokeGrants(ctx.prisma, { clientId: clientId ?? '' }, { log: ctx.log, by: 'admin_cli' });
      if (!known && grants.length === 0) throw new CommandError(`no client ${clientId} and no grants issued to it`);
      return report(grants, { clientId: clientId ?? '' });
    }
    return report(await revokeGrants(ctx.prisma, owner, { log: ctx.log, by: 'admin_cli' }), owner);

    function report(grants: string[], who: { accountId: string } | { clientId: string }): number {
      ctx.out.result({ ...who, grantsRevoked: grants.length, grantIds: grants }, `${grants.length} grant(s) revoked`);
      return EXIT.ok;
    }
  },
};
