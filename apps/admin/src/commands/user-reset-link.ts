import { audit } from '@omnichat/audit';
import { createResetLink } from '@omnichat/db';

import { adminConfigFrom } from '../admin-config.js';
import { CommandError, EXIT, stringOption, type AdminCommand } from '../command.js';
import { findUserByEmail } from '../find-user.js';

const DEFAULT_TTL = '1h';
const MAX_TTL_SECONDS = 7 * 24 * 3600;
const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

/** `90s`, `30m`, `1h`, `2d` (at most 7 days). */
export function parseTtl(value: string): number {
  const match = /^(\d{1,6})([smhd])$/.exec(value.trim());
  const seconds = match ? Number(match[1]) * (UNITS[match[2] as string] as number) : NaN;
  if (!Number.isFinite(seconds) || seconds < 60 || seconds > MAX_TTL_SECONDS) {
    throw new CommandError(`--ttl must be a duration such as 30m, 1h or 2d, between 1 minute and 7 days (got "${value}")`);
  }
  return seconds;
}

export const userResetLink: AdminCommand = {
  name: 'user:reset-link',
  summary: 'Print a single-use link that lets a user set a new password (earlier links stop working)',
  usage: `pnpm admin user:reset-link <email> [--ttl ${DEFAULT_TTL}] [--json]`,
  options: { ttl: { type: 'string' } },
  positionals: { min: 1, max: 1 },
  async run(args, ctx) {
    const ttlSeconds = parseTtl(stringOption(args, 'ttl') ?? DEFAULT_TTL);
    const user = await findUserByEmail(ctx.prisma, args.positionals[0] ?? '');
    if (user.disabledAt) throw new CommandError(`${user.email} is disabled; enable it first (user:disable --enable)`);
    // The link is built on ISSUER, the one public origin of the auth app.
    const { issuer } = adminConfigFrom(ctx.env);
    const link = await createResetLink(ctx.prisma, issuer, user.id, ttlSeconds, ctx.now());
    audit(ctx.log, { event: 'user.reset_link_issued', accountId: user.id, expiresAt: link.expiresAt.toISOString(), by: 'admin_cli' });
    ctx.out.result({ id: user.id, email: user.email, url: link.url, expiresAt: link.expiresAt }, [
      `reset link for ${user.email} (works once, until ${link.expiresAt.toISOString()}):`,
      link.url,
    ]);
    return EXIT.ok;
  },
};
