import { duplicatesOf } from '../client-duplicates.js';
import { EXIT, type AdminCommand } from '../command.js';
import { listClients } from '@omnichat/db/oidc-store';
import { formatTable, isoOrDash } from '../output.js';

export const clientList: AdminCommand = {
  name: 'client:list',
  summary: 'List dynamically registered clients with when each was last used and which repeat an earlier one',
  usage: 'pnpm admin client:list [--json]',
  async run(_args, ctx) {
    const listed = await listClients(ctx.prisma);
    const duplicates = duplicatesOf(listed);
    const clients = listed.map((client) => ({ ...client, duplicateOf: duplicates.get(client.clientId) ?? null }));
    ctx.out.result(
      clients,
      [
        ...formatTable(
          ['client_id', 'name', 'registered', 'last used', 'grants', 'duplicate of'],
          clients.map((client) => [client.clientId, client.clientName ?? '-', client.registeredAt.toISOString(), isoOrDash(client.lastUsedAt), String(client.grants), client.duplicateOf ?? '-']),
        ),
        ...(duplicates.size > 0 ? [`${duplicates.size} registration(s) repeat an earlier one (same name and redirect URIs)`] : []),
      ],
    );
    return EXIT.ok;
  },
};
