import { parseArgs, type ParseArgsConfig } from 'node:util';

import type { PrismaClient } from '@omnichat/db';
import { APP_VERSION } from '@omnichat/lifecycle';

import { EXIT, CommandError, type AdminCommand, type CommandContext } from './command.js';
import { COMMANDS } from './commands/index.js';
import { createOutput, formatTable, type Sinks } from './output.js';

export type AdminRuntime = Omit<CommandContext, 'out' | 'prisma' | 'databaseUrl'> &
  Sinks & {
    /** Opened only once the command line is valid, so `--help` and usage errors need no database. */
    openDatabase: () => Promise<{ prisma: PrismaClient; url: string; close(): Promise<void> }>;
  };

/** Options every command accepts. */
const COMMON_OPTIONS = {
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/**
 * Runs one admin command line (argv without the node/script prefix) and returns the exit code.
 * Never throws for expected failures: they become one line on stderr and a code (0 ok, 1 refused,
 * 2 usage); anything unexpected is reported without a stack unless ADMIN_DEBUG is set.
 */
export async function runAdmin(argv: string[], runtime: AdminRuntime): Promise<number> {
  const [name, ...rest] = argv;
  const wantsJson = rest.includes('--json');
  const out = createOutput(wantsJson, runtime);

  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    out.result(
      COMMANDS.map((command) => ({ name: command.name, summary: command.summary })),
      ['usage: pnpm admin <command> [options]  (add --help to a command for its options, --json for JSON output; --version prints the version)', '', ...formatTable(['command', 'summary'], COMMANDS.map((command) => [command.name, command.summary]))],
    );
    return name === undefined ? EXIT.usage : EXIT.ok;
  }

  if (name === '--version' || name === '-v' || name === 'version') {
    out.result({ version: APP_VERSION }, APP_VERSION);
    return EXIT.ok;
  }

  const command = COMMANDS.find((candidate) => candidate.name === name);
  if (!command) {
    out.error(`admin: unknown command "${name}"; run "pnpm admin help" for the list`);
    return EXIT.usage;
  }

  let args;
  try {
    args = parseCommandLine(command, rest);
  } catch (error) {
    out.error(`admin ${command.name}: ${(error as Error).message}`);
    out.error(`usage: ${command.usage}`);
    return EXIT.usage;
  }
  if (args.values.help === true) {
    out.result({ name: command.name, summary: command.summary, usage: command.usage }, [command.summary, '', `usage: ${command.usage}`]);
    return EXIT.ok;
  }

  let database: Awaited<ReturnType<AdminRuntime['openDatabase']>> | undefined;
  try {
    database = await runtime.openDatabase();
    return await command.run(args, { prisma: database.prisma, databaseUrl: database.url, env: runtime.env, stdin: runtime.stdin, promptSecret: runtime.promptSecret, now: runtime.now, log: runtime.log, out });
  } catch (error) {
    if (error instanceof CommandError) {
      out.error(`admin ${command.name}: ${error.message}`);
      if (error.exitCode === EXIT.usage) out.error(`usage: ${command.usage}`);
      return error.exitCode;
    }
    out.error(`admin ${command.name}: failed: ${error instanceof Error ? error.message : String(error)}`);
    if (runtime.env.ADMIN_DEBUG && error instanceof Error && error.stack) out.error(error.stack);
    return EXIT.input;
  } finally {
    await database?.close();
  }
}

function parseCommandLine(command: AdminCommand, argv: string[]) {
  const options = { ...command.options, ...COMMON_OPTIONS };
  const parsed = parseArgs({
    args: withDashedValues(argv, options),
    options,
    allowPositionals: true,
    strict: true,
  });
  const values = parsed.values as Record<string, string | boolean | undefined>;
  const { min, max } = command.positionals ?? { min: 0, max: 0 };
  if (values.help !== true) {
    if (parsed.positionals.length < min) throw new Error('missing argument');
    if (parsed.positionals.length > max) throw new Error(`unexpected argument "${parsed.positionals[max]}"`);
  }
  return { values, positionals: parsed.positionals };
}

/**
 * The command line with values that begin with "-" made unambiguous for parseArgs, which would
 * take them for options. Key ids (JWK thumbprints) and DCR client ids are random base64url, so one
 * in 64 begins with "-": `keys:revoke -Xy3…` and `doctor --client -Xy3…` must name it, not fail as
 * an unknown option. The value after a string option becomes `--name=value` (unless it begins
 * with "--": a forgotten value stays refused); any other argument with one leading "-" that is no
 * declared short flag is a positional, passed after "--". An argument with two leading dashes stays
 * an option, so a mistyped one is still refused.
 */
function withDashedValues(argv: string[], options: NonNullable<ParseArgsConfig['options']>): string[] {
  const shorts = new Set(Object.values(options).flatMap((option) => (option.short ? [`-${option.short}`] : [])));
  const flags: string[] = [];
  const positionals: string[] = [];
  for (let index = 0; index < argv.length; index += 1) {
    const arg = argv[index]!;
    if (arg === '--') {
      positionals.push(...argv.slice(index + 1));
      break;
    }
    if (arg.startsWith('--')) {
      const next = argv[index + 1];
      if (!arg.includes('=') && options[arg.slice(2)]?.type === 'string' && next !== undefined && !next.startsWith('--')) {
        flags.push(`${arg}=${next}`);
        index += 1;
      } else {
        flags.push(arg);
      }
    } else if (shorts.has(arg)) {
      flags.push(arg);
    } else {
      positionals.push(arg);
    }
  }
  return positionals.length > 0 ? [...flags, '--', ...positionals] : flags;
}
