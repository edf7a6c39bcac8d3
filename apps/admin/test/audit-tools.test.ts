import { createTestDatabase, type TestDatabase } from '@omnichat/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { admin } from './helpers/run.js';

const NOW = new Date('2026-12-03T12:00:00.000Z');
const minutesAgo = (minutes: number) => new Date(NOW.getTime() - minutes * 60_000);

let db: TestDatabase;
let alice: string;
let bob: string;
beforeAll(async () => {
  db = await createTestDatabase();
  alice = (await db.prisma.user.create({ data: { email: 'alice@example.com', passwordHash: 'not-a-real-hash' } })).id;
  bob = (await db.prisma.user.create({ data: { email: 'bob@example.com', passwordHash: 'not-a-real-hash' } })).id;
  const base = { scopes: ['files:read'], decision: 'allowed', outcome: 'ok', durationMs: 0.5 };
  await db.prisma.toolCall.createMany({
    data: [
      { ...base, at: minutesAgo(3 * 24 * 60), userId: alice, clientId: 'chatgpt', tool: 'whoami' },
      { ...base, at: minutesAgo(90), userId: alice, clientId: 'claude', tool: 'private_files_read', outcome: 'tool_error', durationMs: 12.4 },
      { ...base, at: minutesAgo(20), userId: bob, clientId: 'chatgpt', tool: 'private_files_write', decision: 'denied', reason: 'insufficient_scope', outcome: null },
      { ...base, at: minutesAgo(10), userId: null, clientId: null, scopes: [], tool: 'whoami', decision: 'denied', reason: 'authentication_required', outcome: null },
      { ...base, at: minutesAgo(5), userId: bob, clientId: 'chatgpt', scopes: ['ssh:execute'], tool: 'ssh_execute', outcome: 'tool_error', arguments: { command: 'uptime\n\u001b[31m' } },
    ],
  });
});
afterAll(async () => db?.drop());

const run = (...argv: string[]) => admin(db.prisma, ['audit:tools', ...argv], { now: NOW });
const json = async (...argv: string[]) => {
  const result = await run(...argv, '--json');
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as Array<Record<string, unknown>>;
};

describe('pnpm admin audit:tools', () => {
  it('lists every call newest first as JSON, with the email of known users', async () => {
    const rows = await json();
    expect(rows.map((row) => row['tool'])).toEqual(['ssh_execute', 'whoami', 'private_files_write', 'private_files_read', 'whoami']);
    expect(rows[0]).toMatchObject({ email: 'bob@example.com', userId: bob, clientId: 'chatgpt', scopes: ['ssh:execute'], decision: 'allowed', reason: null, outcome: 'tool_error', arguments: { command: 'uptime\n\u001b[31m' }, at: minutesAgo(5).toISOString() });
    expect(rows[1]).toMatchObject({ email: null, userId: null, clientId: null, decision: 'denied', reason: 'authentication_required', outcome: null });
    expect(typeof rows[0]!['id']).toBe('string');
  });

  it('filters by --user, --client, --tool, --since and --limit, combined', async () => {
    expect((await json('--user', 'Alice@Example.com')).map((row) => row['tool'])).toEqual(['private_files_read', 'whoami']);
    expect((await json('--client', 'chatgpt')).map((row) => row['tool'])).toEqual(['ssh_execute', 'private_files_write', 'whoami']);
    expect((await json('--tool', 'whoami')).map((row) => row['userId'])).toEqual([null, alice]);
    expect((await json('--since', '2h')).map((row) => row['tool'])).toEqual(['ssh_execute', 'whoami', 'private_files_write', 'private_files_read']);
    expect((await json('--since', '30m', '--client', 'chatgpt', '--user', 'bob@example.com')).map((row) => row['tool'])).toEqual(['ssh_execute', 'private_files_write']);
    expect((await json('--since', '7d', '--limit', '2')).map((row) => row['tool'])).toEqual(['ssh_execute', 'whoami']);
    expect(await json('--tool', 'no_such_tool')).toEqual([]);
  });

  it('prints a table with the decision and its reason, caller text on one line', async () => {
    const result = await run('--since', '30m');
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^at\s+user\s+client\s+tool\s+decision\s+outcome\s+ms\s+scopes\s+arguments$/);
    expect(lines).toHaveLength(4);
    expect(lines[1]).toContain('bob@example.com');
    expect(lines[1]).toContain('command=uptime\\n\\u001b[31m');
    expect(lines[2]).toMatch(/\(anonymous\)\s+-\s+whoami\s+denied: authentication_required\s+-/);
    expect(lines[3]).toMatch(/private_files_write\s+denied: insufficient_scope/);
    expect(result.stdout).not.toContain('\u001b');
    expect((await run('--tool', 'none')).stdout).toBe('no tool calls match\n');
  });

  it.each([
    [['--since', '2w'], 1, '--since must be a number of minutes, hours or days, like 30m, 2h or 7d (got "2w")'],
    [['--since=-5m'], 1, '--since must be'],
    [['--since', '30'], 1, '--since must be'],
    [['--limit', '0'], 1, '--limit must be a whole number from 1 to 10000'],
    [['--limit', 'ten'], 1, '--limit must be a whole number'],
    [['--limit', '10001'], 1, '--limit must be a whole number'],
    [['--user', 'nobody@example.com'], 1, 'no user with email nobody@example.com'],
    [['--client', ''], 1, '--client needs a value'],
    [['--tool', ' '], 1, '--tool needs a value'],
    [['--host', 'build-box'], 2, "Unknown option '--host'"],
    [['--tool'], 2, "Option '--tool <value>' argument missing"],
    [['whoami'], 2, 'unexpected argument "whoami"'],
  ])('refuses %j with exit %i and a clear message', async (argv, code, message) => {
    const result = await run(...argv);
    expect(result.code).toBe(code);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(`admin audit:tools: `);
    expect(result.stderr).toContain(message);
    if (code === 2) expect(result.stderr).toContain('usage: pnpm admin audit:tools');
  });

  it('is listed by help', async () => {
    const result = await admin(db.prisma, ['help']);
    expect(result.stdout).toMatch(/audit:tools\s+Show MCP tool calls/);
  });
});
