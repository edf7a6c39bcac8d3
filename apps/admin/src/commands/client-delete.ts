import { audit } from '@omnichat/audit';

import { CommandError, EXIT, type AdminCommand } from '../command.js';
import { deleteClient } from '@omnichat/db/oidc-store';

export const clientDelete: AdminCommand = {
  name: 'client:delete',
  summary: 'Delete a registered client and revoke every grant and token issued to it',
  usage: 'pnpm admin client:delete <client_id> [--json]',
  positionals: { min: 1, max: 1 },
  async run(args, ctx) {
    const clientId = args.positionals[0] ?? '';
    const { deleted, grants } = await deleteClient(ctx.prisma, clientId, { log: ctx.log, by: 'admin_cli' });
    if (!deleted) throw new CommandError(`no registered client ${clientId}`);
    audit(ctx.log, { event: 'client.deleted', clientId, by: 'admin_cli' });
    ctx.out.result({ clientId, deleted: true, grantsRevoked: grants.length }, `deleted client ${clientId}; ${grants.length} grant(s) revoked`);
    return EXIT.ok;
  },
};
