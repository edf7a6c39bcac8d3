import { isUuid, normaliseEmail } from '@omnichat/db';

import { CommandError, EXIT, UsageError, stringOption, type AdminCommand } from '../command.js';
import { formatTable } from '../output.js';

const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 10_000;

export const sshAuditCommand: AdminCommand = {
  name: 'ssh:audit',
  summary: 'Show ssh_execute attempts (refusals included) for a user or a host, newest first',
  usage: 'pnpm admin ssh:audit (--user <email> | --host <name>) [--limit 50] [--json]',
  options: { user: { type: 'string' }, host: { type: 'string' }, limit: { type: 'string' } },
  async run(args, ctx) {
    const email = stringOption(args, 'user');
    const hostName = stringOption(args, 'host');
    if (email === undefined && hostName === undefined) throw new UsageError('give --user, --host or both');
    const limitText = stringOption(args, 'limit') ?? String(DEFAULT_LIMIT);
    const limit = Number(limitText);
    if (!/^\d+$/.test(limitText) || limit < 1 || limit > MAX_LIMIT) throw new CommandError(`--limit must be a whole number from 1 to ${MAX_LIMIT}`);

    let userId: string | undefined;
    if (email !== undefined) {
      // Audit rows outlive users, but a search needs the id; an unknown email is a typo, so say so.
      const user = await ctx.prisma.user.findUnique({ where: { email: normaliseEmail(email) }, select: { id: true } });
      if (!user) throw new CommandError(`no user with email ${normaliseEmail(email)}`);
      userId = user.id;
    }
    // By the name as called, so attempts on unapproved or since-removed hosts are found too.
    const rows = await ctx.prisma.sshExecution.findMany({
      where: { ...(userId ? { userId } : {}), ...(hostName !== undefined ? { hostName } : {}) },
      orderBy: { at: 'desc' },
      take: limit,
    });
    const emails = new Map(
      (await ctx.prisma.user.findMany({ where: { id: { in: [...new Set(rows.map((row) => row.userId))].filter(isUuid) } }, select: { id: true, email: true } })).map(
        (user) => [user.id, user.email],
      ),
    );
    const entries = rows.map((row) => ({ ...row, email: emails.get(row.userId) ?? null }));
    ctx.out.result(
      entries,
      formatTable(
        ['at', 'user', 'client', 'host', 'outcome', 'exit', 'ms', 'bytes', 'command'],
        entries.map((row) => [
          row.at.toISOString(),
          row.email ?? row.userId,
          oneLine(row.clientId),
          oneLine(row.hostName),
          row.outcome,
          row.exitCode === null ? '-' : String(row.exitCode),
          String(row.durationMs),
          `${row.bytesOut}${row.truncated ? ' (cut)' : ''}`,
          oneLine(row.command),
        ]),
      ),
    );
    return EXIT.ok;
  },
};

/** Caller-given text may hold newlines and terminal escapes; the table shows it escaped, on one line. */
function oneLine(command: string): string {
  const escaped = JSON.stringify(command).slice(1, -1);
  return escaped.length > 80 ? `${escaped.slice(0, 80)}…` : escaped;
}
