// `pnpm admin <command> ...`: operator commands against the database the apps use (DATABASE_URL,
// or the embedded Postgres under .data/ when unset). The only admin module that reads the process.
import { createPrismaClient, resolveDatabase } from '@omnichat/db';
import { loadDotEnv } from '@omnichat/lifecycle';
import { pino } from 'pino';
import { read } from 'read';

import { runAdmin } from './run-admin.js';

// .env at the repository root fills in what the environment leaves unset.
loadDotEnv();

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) process.stderr.write('reading from standard input (end with Ctrl-D)\n');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Asks on the terminal, echoing nothing (not even stars), with the prompt on stderr so stdout stays the result. */
async function promptSecret(prompt: string): Promise<string> {
  const answer = await read({ prompt, silent: true, replace: '', input: process.stdin, output: process.stderr, terminal: true });
  process.stderr.write('\n');
  return answer;
}

const code = await runAdmin(process.argv.slice(2), {
  env: process.env,
  stdin: readStdin,
  promptSecret: process.stdin.isTTY ? promptSecret : undefined,
  now: () => new Date(),
  // Audit lines go to stderr as JSON, so stdout stays the command's result (and --json parseable).
  log: pino({ base: { app: 'admin' }, level: 'info' }, pino.destination({ fd: 2, sync: true })),
  stdout: (chunk) => process.stdout.write(chunk),
  stderr: (chunk) => process.stderr.write(chunk),
  openDatabase: async () => {
    const database = await resolveDatabase(process.env);
    const prisma = createPrismaClient(database.url, { maxConnections: 2 });
    return {
      prisma,
      url: database.url,
      async close() {
        await prisma.$disconnect();
        await database.stop();
      },
    };
  },
});
// Explicit exit: a lingering pool handle must never keep a finished command alive.
process.exitCode = code;
process.stdout.write('', () => process.exit(code));
