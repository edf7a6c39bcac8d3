import { MIN_ADMIN_PASSWORD_LENGTH } from '@omnichat/db';

import { CommandError, UsageError, flag, type CommandArgs, type CommandContext } from './command.js';

/** Read when --password-stdin is not given; argv is never a source (it shows in `ps`). */
export const PASSWORD_ENV = 'OMNICHAT_PASSWORD';
export const MIN_PASSWORD_LENGTH = MIN_ADMIN_PASSWORD_LENGTH;
const MAX_PASSWORD_LENGTH = 1024;

export const PASSWORD_OPTIONS = { 'password-stdin': { type: 'boolean' } } as const;
export const PASSWORD_USAGE = `--password-stdin (or ${PASSWORD_ENV} in the environment)`;

/** The new password from stdin (one trailing newline dropped) or OMNICHAT_PASSWORD, length-checked. */
export async function readNewPassword(args: CommandArgs, ctx: CommandContext): Promise<string> {
  let password: string;
  if (flag(args, 'password-stdin')) password = (await ctx.stdin()).replace(/\r?\n$/, '');
  else if (ctx.env[PASSWORD_ENV] !== undefined) password = ctx.env[PASSWORD_ENV];
  else throw new UsageError(`no password: pipe it in with --password-stdin or set ${PASSWORD_ENV} (never an argument: argv shows in ps)`);
  if (password.length < MIN_PASSWORD_LENGTH) throw new CommandError(`password must be at least ${MIN_PASSWORD_LENGTH} characters`);
  if (password.length > MAX_PASSWORD_LENGTH) throw new CommandError(`password must be at most ${MAX_PASSWORD_LENGTH} characters`);
  return password;
}
