import { MIN_ADMIN_PASSWORD_LENGTH } from '@omnichat/db';

import { CommandError, UsageError, flag, type CommandArgs, type CommandContext } from './command.js';

/** Read when --password-stdin is not given; argv is never a source (it shows in `ps`). */
export const PASSWORD_ENV = 'OMNICHAT_PASSWORD';
export const MIN_PASSWORD_LENGTH = MIN_ADMIN_PASSWORD_LENGTH;
const MAX_PASSWORD_LENGTH = 1024;

export const PASSWORD_OPTIONS = { 'password-stdin': { type: 'boolean' } } as const;
export const PASSWORD_USAGE = `[--password-stdin] (at a terminal it asks without echoing; a pipe needs --password-stdin, or ${PASSWORD_ENV} in the environment)`;

/**
 * The new password, length-checked, from: the terminal (asked twice, never echoed) when standard
 * input is one; else standard input with --password-stdin (one trailing newline dropped); else
 * OMNICHAT_PASSWORD. Never from argv (it shows in `ps`).
 */
export async function readNewPassword(args: CommandArgs, ctx: CommandContext, subject: string): Promise<string> {
  let password: string;
  if (ctx.promptSecret && (flag(args, 'password-stdin') || ctx.env[PASSWORD_ENV] === undefined)) password = await askTwice(ctx.promptSecret, subject);
  else if (flag(args, 'password-stdin')) password = (await ctx.stdin()).replace(/\r?\n$/, '');
  else if (ctx.env[PASSWORD_ENV] !== undefined) password = ctx.env[PASSWORD_ENV];
  else throw new UsageError(`no password: run it at a terminal to be asked, pipe it in with --password-stdin, or set ${PASSWORD_ENV} (never an argument: argv shows in ps)`);
  if (password.length < MIN_PASSWORD_LENGTH) throw new CommandError(`password must be at least ${MIN_PASSWORD_LENGTH} characters`);
  if (password.length > MAX_PASSWORD_LENGTH) throw new CommandError(`password must be at most ${MAX_PASSWORD_LENGTH} characters`);
  return password;
}

async function askTwice(prompt: (text: string) => Promise<string>, subject: string): Promise<string> {
  const ask = (text: string) =>
    prompt(text).catch((error: Error) => {
      // read() rejects with "canceled" on Ctrl-C / Ctrl-D.
      throw new CommandError(`no password given (${error.message})`);
    });
  const first = await ask(`New password for ${subject} (at least ${MIN_PASSWORD_LENGTH} characters): `);
  if (first.length < MIN_PASSWORD_LENGTH) throw new CommandError(`password must be at least ${MIN_PASSWORD_LENGTH} characters`);
  const second = await ask('Repeat it: ');
  if (first !== second) throw new CommandError('the two passwords differ: nothing was changed');
  return first;
}
