import { normaliseEmail } from '@omnichat/db';
import { parseDuration } from '@omnichat/util';
import { buildAttempts, findConnectionEvents, publicAttempt, type DiagnosedAttempt } from '@omnichat/doctor';

import { CommandError, EXIT, UsageError, stringOption, type AdminCommand } from '../command.js';

const DEFAULT_SINCE = '24h';
/** Nothing older is kept anyway (DOCTOR_RETENTION_HOURS is at most 90 days). */
const MAX_SINCE_MS = 90 * 86_400_000;

/** "30m", "2h", "3d", "45s" → milliseconds. */
export function parseSince(text: string): number {
  const amount = parseDuration(text);
  if (amount === undefined || amount > MAX_SINCE_MS) {
    throw new UsageError(`--since must be a positive duration like 30m, 2h or 3d (at most 90d), not "${text}"`);
  }
  return amount;
}

export const doctor: AdminCommand = {
  name: 'doctor',
  summary: 'Why did a connection fail? Each connection attempt as a timeline, with the rule and the fix for its first failure',
  usage: 'pnpm admin doctor [--client <client_id>] [--user <email>] [--since 24h] [--json]',
  options: { client: { type: 'string' }, user: { type: 'string' }, since: { type: 'string' } },
  async run(args, ctx) {
    const clientId = stringOption(args, 'client');
    const email = stringOption(args, 'user');
    if (clientId !== undefined && clientId.trim() === '') throw new UsageError('--client needs a client_id');
    if (email !== undefined && !email.includes('@')) throw new UsageError(`--user takes an email address, not "${email}"`);
    const since = new Date(ctx.now().getTime() - parseSince(stringOption(args, 'since') ?? DEFAULT_SINCE));

    let userId: string | undefined;
    if (email !== undefined) {
      const user = await ctx.prisma.user.findUnique({ where: { email: normaliseEmail(email) }, select: { id: true } });
      if (!user) throw new CommandError(`no user with email ${normaliseEmail(email)}`);
      userId = user.id;
    }
    const rows = await findConnectionEvents(ctx.prisma, { since, ...(clientId !== undefined ? { clientIds: [clientId] } : {}), ...(userId ? { userId } : {}) });
    // Steps no client could be tied to are shown only when nothing narrows the question.
    const attempts = buildAttempts(rows, { includeUnattributed: clientId === undefined && userId === undefined });
    ctx.out.result({ attempts: attempts.map(publicAttempt) }, attempts.length === 0 ? [`no connection steps recorded since ${since.toISOString()}`] : attempts.flatMap(describe));
    return EXIT.ok;
  },
};

function describe(attempt: DiagnosedAttempt, index: number): string[] {
  const lines = [`attempt ${index + 1}: client ${attempt.client_id ?? '(none yet: by source address)'}, started ${attempt.started_at}${attempt.failed ? ', FAILED' : ''}`];
  const stepWidth = Math.max(...attempt.steps.map((step) => step.step.length));
  for (const step of attempt.steps) {
    const outcome = step.outcome === 'ok' ? 'ok    ' : 'FAILED';
    lines.push(`  ${step.at.slice(11, 23)}  ${step.step.padEnd(stepWidth)}  ${outcome}  ${oneLine(step.detail)}${step.rule ? `  [${step.rule}]` : ''}`);
  }
  if (attempt.diagnosis) lines.push(`  diagnosis: ${oneLine(attempt.diagnosis)}`);
  lines.push('');
  return lines;
}

/** Client-given text (a redirect_uri, a client name) may hold newlines and terminal escapes. */
function oneLine(text: string): string {
  return JSON.stringify(text).slice(1, -1);
}
