import { audit } from '@omnichat/audit';

import { duplicatesOf } from '../client-duplicates.js';
import { EXIT, UsageError, flag, stringOption, type AdminCommand } from '../command.js';
import { deleteClient, listClients } from '@omnichat/db/oidc-store';
import { formatTable, isoOrDash } from '../output.js';

const DAY_MS = 24 * 3600 * 1000;

export const clientsPrune: AdminCommand = {
  name: 'clients:prune',
  summary: 'Delete dynamically registered clients registered over N days ago and not used in the last N days',
  usage: 'pnpm admin clients:prune --days <N> [--dry-run] [--json]',
  options: { days: { type: 'string' }, 'dry-run': { type: 'boolean' } },
  async run(args, ctx) {
    const daysText = stringOption(args, 'days');
    if (daysText === undefined) throw new UsageError('--days is required');
    const days = Number(daysText);
    if (!/^\d+$/.test(daysText) || !Number.isSafeInteger(days) || days < 1) throw new UsageError(`--days must be a whole number of days, at least 1 (got "${daysText}")`);
    const cutoff = new Date(ctx.now().getTime() - days * DAY_MS);
    // "Used" is any consent, code or refresh: DCR clients that never finished a sign-in (ChatGPT
    // registers one per connector attempt) and ones whose users went away both qualify.
    const all = await listClients(ctx.prisma);
    const duplicates = duplicatesOf(all);
    const stale = all.filter((client) => client.registeredAt < cutoff && (client.lastUsedAt === null || client.lastUsedAt < cutoff));
    const dryRun = flag(args, 'dry-run');
    if (!dryRun) {
      for (const client of stale) {
        await deleteClient(ctx.prisma, client.clientId, { log: ctx.log, by: 'admin_cli' });
        audit(ctx.log, { event: 'client.deleted', clientId: client.clientId, by: 'admin_cli' });
      }
    }
    ctx.out.result(
      { dryRun, days, cutoff, pruned: stale.map((client) => ({ clientId: client.clientId, clientName: client.clientName, registeredAt: client.registeredAt, lastUsedAt: client.lastUsedAt, duplicateOf: duplicates.get(client.clientId) ?? null })) },
      [
        `${dryRun ? 'would prune' : 'pruned'} ${stale.length} client(s) unused since ${cutoff.toISOString()}`,
        ...(stale.length > 0 ? formatTable(['client_id', 'name', 'registered', 'last used', 'duplicate of'], stale.map((c) => [c.clientId, c.clientName ?? '-', c.registeredAt.toISOString(), isoOrDash(c.lastUsedAt), duplicates.get(c.clientId) ?? '-'])) : []),
      ],
    );
    return EXIT.ok;
  },
};
