import { hashPassword, normaliseEmail } from '@omnichat/db';
import { audit } from '@omnichat/audit';
import { z } from 'zod';

import { CommandError, EXIT, flag, type AdminCommand } from '../command.js';
import { publicUser } from '../find-user.js';
import { PASSWORD_OPTIONS, PASSWORD_USAGE, readNewPassword } from '../password-input.js';

export const userAdd: AdminCommand = {
  name: 'user:add',
  summary: 'Create a user who can sign in (password asked at the terminal, or from stdin or OMNICHAT_PASSWORD)',
  usage: `pnpm admin user:add <email> ${PASSWORD_USAGE} [--admin] [--unverified] [--json]`,
  // --unverified: the admin has not checked the address, so clients see email_verified false.
  options: { ...PASSWORD_OPTIONS, admin: { type: 'boolean' }, unverified: { type: 'boolean' } },
  positionals: { min: 1, max: 1 },
  async run(args, ctx) {
    const raw = args.positionals[0] ?? '';
    if (!z.email().safeParse(raw.trim()).success) throw new CommandError(`"${raw}" is not an email address`);
    const email = normaliseEmail(raw);
    // Checked before the password is asked for, and again by the unique index on create.
    if (await ctx.prisma.user.findUnique({ where: { email } })) throw new CommandError(`a user with email ${email} already exists`);
    const password = await readNewPassword(args, ctx, email);
    const user = await ctx.prisma.user.create({ data: { email, passwordHash: await hashPassword(password), isAdmin: flag(args, 'admin'), emailVerifiedAt: flag(args, 'unverified') ? null : new Date() } });
    audit(ctx.log, { event: 'user.created', accountId: user.id, isAdmin: user.isAdmin, emailVerified: user.emailVerifiedAt !== null, by: 'admin_cli' });
    ctx.out.result({ ...publicUser(user), emailVerified: user.emailVerifiedAt !== null }, `created ${user.isAdmin ? 'admin' : 'user'} ${user.email} (${user.id})${user.emailVerifiedAt ? '' : ', email unverified'}`);
    return EXIT.ok;
  },
};
