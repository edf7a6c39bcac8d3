// The hidden password prompt of `user:add` / `user:reset-password`, in a real pseudo-terminal:
// util-linux `script` runs the CLI on a pty and copies this test's writes to it as keystrokes, and
// everything the terminal showed (echo included) back. The pipe path (--password-stdin) is
// tested beside it, as a process too.
import { spawn } from 'node:child_process';

import { verifyPassword } from '@omnichat/db';
import { createTestDatabase, type TestDatabase } from '@omnichat/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { REPO_ROOT } from '@omnichat/testkit';

const CLI = 'node --import tsx apps/admin/src/cli.ts';
let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});

type Terminal = { screen: () => string; type: (text: string) => void; waitFor: (text: string) => Promise<void>; exited: Promise<number | null> };

/** Runs `command` on a pseudo-terminal; `type` sends keystrokes, `screen` is all it displayed. */
function onTerminal(command: string): Terminal {
  const { OMNICHAT_PASSWORD: _unset, ...env } = process.env;
  const child = spawn('script', ['-qec', command, '/dev/null'], { cwd: REPO_ROOT, env: { ...env, DATABASE_URL: db.url }, stdio: ['pipe', 'pipe', 'pipe'] });
  let screen = '';
  child.stdout.on('data', (chunk: Buffer) => (screen += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (screen += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  return {
    screen: () => screen,
    type: (text) => child.stdin.write(text),
    async waitFor(text) {
      const deadline = Date.now() + 30_000;
      while (!screen.includes(text)) {
        if (Date.now() > deadline || child.exitCode !== null) throw new Error(`"${text}" never appeared; the terminal showed:\n${screen}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    exited: exited.finally(() => child.stdin.end()),
  };
}

describe('password prompt at a terminal', () => {
  it('user:add asks twice without echoing and stores that password', async () => {
    const password = 'typed at the terminal 0xC0FFEE';
    const terminal = onTerminal(`${CLI} user:add tty-user@example.com`);
    await terminal.waitFor('New password for tty-user@example.com');
    terminal.type(`${password}\r`);
    await terminal.waitFor('Repeat it: ');
    terminal.type(`${password}\r`);
    expect(await terminal.exited, terminal.screen()).toBe(0);
    expect(terminal.screen()).toContain('created user tty-user@example.com');
    // Nothing typed was shown: neither the characters nor stars.
    expect(terminal.screen()).not.toContain('0xC0FFEE');
    expect(terminal.screen()).not.toMatch(/\*{4}/);
    const user = await db.prisma.user.findUniqueOrThrow({ where: { email: 'tty-user@example.com' } });
    expect(await verifyPassword(user.passwordHash, password)).toBe(true);
  }, 60_000);

  it('user:reset-password refuses two different answers and a short one, changing nothing', async () => {
    const before = (await db.prisma.user.findUniqueOrThrow({ where: { email: 'tty-user@example.com' } })).passwordHash;

    const differ = onTerminal(`${CLI} user:reset-password tty-user@example.com`);
    await differ.waitFor('New password for tty-user@example.com');
    differ.type('first long passphrase here\r');
    await differ.waitFor('Repeat it: ');
    differ.type('second long passphrase here\r');
    expect(await differ.exited).toBe(1);
    expect(differ.screen()).toContain('the two passwords differ: nothing was changed');

    const short = onTerminal(`${CLI} user:reset-password tty-user@example.com --password-stdin`);
    await short.waitFor('New password for tty-user@example.com');
    short.type('short\r');
    expect(await short.exited).toBe(1);
    expect(short.screen()).toContain('password must be at least 12 characters');
    expect(short.screen()).not.toContain('Repeat it');

    expect((await db.prisma.user.findUniqueOrThrow({ where: { email: 'tty-user@example.com' } })).passwordHash).toBe(before);
  }, 60_000);

  it('reads a pipe as before with --password-stdin (no prompt), and refuses a pipe without it', async () => {
    const run = (args: string, input: string) =>
      new Promise<{ code: number | null; output: string }>((resolve) => {
        const { OMNICHAT_PASSWORD: _unset, ...env } = process.env;
        const child = spawn('sh', ['-c', `${CLI} ${args}`], { cwd: REPO_ROOT, env: { ...env, DATABASE_URL: db.url }, stdio: ['pipe', 'pipe', 'pipe'] });
        let output = '';
        child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
        child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
        child.stdin.end(input);
        child.once('exit', (code) => resolve({ code, output }));
      });
    const piped = await run('user:add piped@example.com --password-stdin', 'a piped passphrase\n');
    expect(piped.code, piped.output).toBe(0);
    expect(piped.output).not.toContain('New password');
    const user = await db.prisma.user.findUniqueOrThrow({ where: { email: 'piped@example.com' } });
    expect(await verifyPassword(user.passwordHash, 'a piped passphrase')).toBe(true);

    const without = await run('user:add other@example.com', 'a piped passphrase\n');
    expect(without.code).toBe(2);
    expect(without.output).toContain('no password: run it at a terminal to be asked');
  }, 60_000);
});
