import type { ParseArgsConfig } from 'node:util';

import type { AuditLogger } from '@omnichat/audit';
import type { PrismaClient } from '@omnichat/db';

import type { Output } from './output.js';

/** Exit codes every command keeps to (scripts branch on them). */
export const EXIT = {
  ok: 0,
  /** Bad input or nothing found to act on: the command ran and refused. */
  input: 1,
  /** The command line itself is wrong (unknown command or option, missing argument). */
  usage: 2,
} as const;

export type CommandArgs = {
  values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  positionals: string[];
};

export type CommandContext = {
  prisma: PrismaClient;
  /** The URL `prisma` is connected to (DATABASE_URL or the embedded Postgres): what backup and restore hand to pg_dump / pg_restore. */
  databaseUrl: string;
  /** The process environment (or a test's); commands read settings such as KEY_ENCRYPTION_SECRET here. */
  env: Record<string, string | undefined>;
  out: Output;
  /** The audit trail (pino JSON on stderr in the CLI): every change an admin makes is recorded. */
  log: AuditLogger;
  /** All of standard input as text (passwords come from here, never from argv, which `ps` shows). */
  stdin: () => Promise<string>;
  /**
   * Asks for a secret at the terminal without echoing it; present only when standard input is a
   * terminal (a pipe is read with `stdin` instead).
   */
  promptSecret?: ((prompt: string) => Promise<string>) | undefined;
  now: () => Date;
};

/** One `pnpm admin <name>` command, one per file under commands/, listed in commands/index.ts. */
export type AdminCommand = {
  name: string;
  summary: string;
  /** Shown on a usage error and by `--help`: the synopsis first, then option lines. */
  usage: string;
  /** node:util parseArgs options; `--json` and `--help` are added for every command. */
  options?: NonNullable<ParseArgsConfig['options']>;
  /** How many positional arguments the command takes. */
  positionals?: { min: number; max: number };
  run(args: CommandArgs, ctx: CommandContext): Promise<number>;
};

/** A refusal with a clear one-line reason (exit 1 unless said otherwise). */
export class CommandError extends Error {
  constructor(message: string, readonly exitCode: number = EXIT.input) {
    super(message);
  }
}

/** The command line is wrong: the usage is printed with the message (exit 2). */
export class UsageError extends CommandError {
  constructor(message: string) {
    super(message, EXIT.usage);
  }
}

export function stringOption(args: CommandArgs, name: string): string | undefined {
  const value = args.values[name];
  return typeof value === 'string' ? value : undefined;
}

export function flag(args: CommandArgs, name: string): boolean {
  return args.values[name] === true;
}
