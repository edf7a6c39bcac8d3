import { isUuid, normaliseEmail } from '@omnichat/db';
import { findToolCalls, type ToolCallEntry } from '@omnichat/tool-audit';
import { parseDuration } from '@omnichat/util';

import { CommandError, EXIT, stringOption, type AdminCommand } from '../command.js';
import { formatTable } from '../output.js';

const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 10_000;

export const auditToolsCommand: AdminCommand = {
  name: 'audit:tools',
  summary: 'Show MCP tool calls (who, which client, which tool, allowed or denied and why, outcome), newest first',
  usage: 'pnpm admin audit:tools [--user <email>] [--client <client_id>] [--tool <name>] [--since 30m|2h|7d] [--limit 50] [--json]',
  options: { user: { type: 'string' }, client: { type: 'string' }, tool: { type: 'string' }, since: { type: 'string' }, limit: { type: 'string' } },
  async run(args, ctx) {
    const limitText = stringOption(args, 'limit') ?? String(DEFAULT_LIMIT);
    const limit = Number(limitText);
    if (!/^\d+$/.test(limitText) || limit < 1 || limit > MAX_LIMIT) throw new CommandError(`--limit must be a whole number from 1 to ${MAX_LIMIT}`);
    const sinceText = stringOption(args, 'since');
    const sinceMs = sinceText === undefined ? undefined : parseDuration(sinceText, ['m', 'h', 'd']);
    if (sinceText !== undefined && sinceMs === undefined) throw new CommandError(`--since must be a number of minutes, hours or days, like 30m, 2h or 7d (got "${sinceText}")`);
    const clientId = nonEmpty(stringOption(args, 'client'), '--client');
    const tool = nonEmpty(stringOption(args, 'tool'), '--tool');

    let userId: string | undefined;
    const email = stringOption(args, 'user');
    if (email !== undefined) {
      // Rows outlive users, but a search needs the id; an unknown email is a typo, so say so.
      const user = await ctx.prisma.user.findUnique({ where: { email: normaliseEmail(email) }, select: { id: true } });
      if (!user) throw new CommandError(`no user with email ${normaliseEmail(email)}`);
      userId = user.id;
    }

    const since = sinceMs === undefined ? undefined : new Date(ctx.now().getTime() - sinceMs);
    const rows = await findToolCalls(ctx.prisma, { userId, clientId, tool, since, limit });
    const ids = [...new Set(rows.map((row) => row.userId).filter((id): id is string => id !== null && isUuid(id)))];
    const emails = new Map((await ctx.prisma.user.findMany({ where: { id: { in: ids } }, select: { id: true, email: true } })).map((user) => [user.id, user.email]));
    const entries = rows.map((row) => ({ ...row, email: row.userId === null ? null : (emails.get(row.userId) ?? null) }));
    ctx.out.result(
      entries,
      entries.length === 0
        ? ['no tool calls match']
        : formatTable(
            ['at', 'user', 'client', 'tool', 'decision', 'outcome', 'ms', 'scopes', 'arguments'],
            entries.map((row) => [
              row.at.toISOString(),
              row.email ?? row.userId ?? '(anonymous)',
              oneLine(row.clientId ?? '-'),
              oneLine(row.tool),
              row.decision === 'denied' ? `denied: ${row.reason ?? '?'}` : 'allowed',
              row.outcome ?? '-',
              formatMs(row.durationMs),
              row.scopes.join(' ') || '-',
              formatArguments(row),
            ]),
          ),
    );
    return EXIT.ok;
  },
};

function nonEmpty(value: string | undefined, flag: string): string | undefined {
  if (value !== undefined && value.trim() === '') throw new CommandError(`${flag} needs a value`);
  return value;
}

function formatMs(ms: number): string {
  return ms < 10 ? ms.toFixed(2) : String(Math.round(ms));
}

function formatArguments(row: ToolCallEntry): string {
  if (row.arguments === null || typeof row.arguments !== 'object') return '-';
  return oneLine(Object.entries(row.arguments as Record<string, unknown>).map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`).join(' '));
}

/** Caller-given text may hold newlines and terminal escapes; the table shows it escaped, on one line. */
function oneLine(text: string): string {
  const escaped = JSON.stringify(text).slice(1, -1);
  return escaped.length > 80 ? `${escaped.slice(0, 80)}…` : escaped;
}
