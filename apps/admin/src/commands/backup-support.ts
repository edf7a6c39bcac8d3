// What backup and restore share: where a relative file name points, and which failures are refusals.
import path from 'node:path';

import { BackupFileError, BackupRefusedError, PostgresToolError } from '@omnichat/db';

import { CommandError } from '../command.js';

/**
 * A relative path as the operator meant it: pnpm runs `pnpm admin` in the repository root, and
 * says in INIT_CWD where it was invoked.
 */
export function fromInvocationDirectory(file: string, env: Record<string, string | undefined>): string {
  return path.resolve(env.INIT_CWD ?? process.cwd(), file);
}

/** The refusals of backup and restore become one-line command errors; anything else stays unexpected. */
export function asCommandError(error: unknown): never {
  if (error instanceof BackupRefusedError || error instanceof BackupFileError || error instanceof PostgresToolError) throw new CommandError(error.message);
  throw error;
}
