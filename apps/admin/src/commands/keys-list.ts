import { nextKeyWaitSeconds, retiredKeyRetentionSeconds } from '@omnichat/signing-keys';

import { EXIT, type AdminCommand } from '../command.js';
import { adminConfigFrom } from '../admin-config.js';
import { formatTable, isoOrDash } from '../output.js';

const STATE_ORDER: Record<string, number> = { next: 0, current: 1, retired: 2, revoked: 3 };

export const keysList: AdminCommand = {
  name: 'keys:list',
  summary: 'List signing keys: next (published), current (signing), retired (published until its tokens expire), revoked (never again)',
  usage: 'pnpm admin keys:list [--json]',
  async run(_args, ctx) {
    const { keys: timings } = adminConfigFrom(ctx.env);
    const now = ctx.now();
    const rows = await ctx.prisma.signingKey.findMany({ orderBy: { createdAt: 'desc' } });
    rows.sort((a, b) => (STATE_ORDER[a.state] ?? 9) - (STATE_ORDER[b.state] ?? 9));
    const keys = rows.map((row) => ({
      kid: row.kid,
      alg: row.alg,
      state: row.state,
      createdAt: row.createdAt,
      activatedAt: row.activatedAt,
      retiredAt: row.retiredAt,
      // When this row changes next without anyone acting: promotion allowed, or deletion.
      promotableAt: row.state === 'next' ? new Date(now.getTime() + nextKeyWaitSeconds(row.createdAt, now, timings) * 1000) : null,
      deletableAt: row.state === 'retired' && row.retiredAt ? new Date(row.retiredAt.getTime() + retiredKeyRetentionSeconds(timings) * 1000) : null,
    }));
    ctx.out.result(
      keys,
      formatTable(
        ['kid', 'state', 'created', 'activated', 'retired', 'deletable after'],
        keys.map((key) => [key.kid, key.state, key.createdAt.toISOString(), isoOrDash(key.activatedAt), isoOrDash(key.retiredAt), isoOrDash(key.deletableAt)]),
      ),
    );
    return EXIT.ok;
  },
};
