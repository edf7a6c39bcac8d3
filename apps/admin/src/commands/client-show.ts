import { CommandError, EXIT, type AdminCommand } from '../command.js';
import { listClients } from '@omnichat/db/oidc-store';
import { isoOrDash } from '../output.js';

export const clientShow: AdminCommand = {
  name: 'client:show',
  summary: 'Show one registered client (never its secret)',
  usage: 'pnpm admin client:show <client_id> [--json]',
  positionals: { min: 1, max: 1 },
  async run(args, ctx) {
    const clientId = args.positionals[0] ?? '';
    const [client] = await listClients(ctx.prisma, clientId);
    if (!client) throw new CommandError(`no registered client ${clientId}`);
    ctx.out.result(client, [
      `client_id:     ${client.clientId}`,
      `name:          ${client.clientName ?? '-'}`,
      `auth method:   ${client.tokenEndpointAuthMethod ?? '-'}`,
      `redirect_uris: ${client.redirectUris.join(' ')}`,
      `registered:    ${client.registeredAt.toISOString()}`,
      `last used:     ${isoOrDash(client.lastUsedAt)}`,
      `grants:        ${client.grants}`,
    ]);
    return EXIT.ok;
  },
};
