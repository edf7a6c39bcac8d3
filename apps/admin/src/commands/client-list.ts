import { EXIT, type AdminCommand } from '../command.js';
import { listClients } from '../oidc-store.js';
import { formatTable, isoOrDash } from '../output.js';

export const clientList: AdminCommand = {
  name: 'client:list',
  summary: 'List dynamically registered clients with when each was last used',
  usage: 'pnpm admin client:list [--json]',
  async run(_args, ctx) {
    const clients = await listClients(ctx.prisma);
    ctx.out.result(
      clients,
      formatTable(
        ['client_id', 'name', 'registered', 'last used', 'grants'],
        clients.map((client) => [client.clientId, client.clientName ?? '-', client.registeredAt.toISOString(), isoOrDash(client.lastUsedAt), String(client.grants)]),
      ),
    );
    return EXIT.ok;
  },
};
