import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

import { verifyPassword } from '@omnichat/db';
import { createTestDatabase, type TestDatabase } from '@omnichat/db/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { COMMANDS } from '../src/commands/index.js';
import { admin } from './helpers/run.js';

const PASSWORD = 'correct horse battery staple';
const DAY_MS = 24 * 3600 * 1000;
let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});
beforeEach(async () => {
  await db.prisma.oidcPayload.deleteMany();
  await db.prisma.user.deleteMany();
  await db.prisma.signingKey.deleteMany();
});

/** Rows shaped as oidc-provider writes them (the adapter stores the payload as given). */
async function seedClient(clientId: string, registeredAt: Date, grant?: { accountId: string; createdAt: Date; lastUsedAt?: Date }) {
  await db.prisma.oidcPayload.create({
    data: { model: 'Client', id: clientId, createdAt: registeredAt, payload: { client_id: clientId, client_name: `name of ${clientId}`, redirect_uris: ['https://chatgpt.com/connector_platform_oauth_redirect'], token_endpoint_auth_method: 'none' } },
  });
  if (!grant) return undefined;
  const grantId = `grant-${clientId}`;
  await db.prisma.oidcPayload.create({ data: { model: 'Grant', id: grantId, grantId, createdAt: grant.createdAt, lastUsedAt: grant.lastUsedAt ?? null, payload: { accountId: grant.accountId, clientId, kind: 'Grant' } } });
  await db.prisma.oidcPayload.create({ data: { model: 'RefreshToken', id: `rt-${clientId}`, grantId, createdAt: grant.createdAt, payload: { accountId: grant.accountId, clientId, grantId, kind: 'RefreshToken' } } });
  return grantId;
}

describe('pnpm admin: framework', () => {
  it('lists every command in help and exits 0; no command at all is a usage error (2)', async () => {
    const help = await admin(db.prisma, ['help']);
    expect(help.code).toBe(0);
    for (const command of COMMANDS) expect(help.stdout).toContain(command.name);
    expect((await admin(db.prisma, [])).code).toBe(2);
  });

  it.each([
    [['no:such'], /unknown command "no:such"/],
    [['user:list', '--bogus'], /Unknown option '--bogus'/],
    [['user:list', 'extra'], /unexpected argument "extra"/],
    [['user:add'], /missing argument/],
    [['clients:prune'], /--days is required/],
    [['clients:prune', '--days', '0'], /at least 1/],
    [['clients:prune', '--days', '3.5'], /whole number/],
    [['grants:revoke'], /exactly one of --user or --client/],
    [['grants:revoke', '--user', 'a@b.c', '--client', 'x'], /exactly one of --user or --client/],
    [['user:add', 'a@example.com'], /no password: run it at a terminal to be asked, pipe it in with --password-stdin, or set OMNICHAT_PASSWORD/],
  ])('refuses %j with exit 2 and the reason on stderr', async (argv, reason) => {
    const run = await admin(db.prisma, argv);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(reason);
    expect(run.stdout).toBe('');
  });

  it('prints a command\'s usage with --help without touching the database', async () => {
    const run = await admin(db.prisma, ['keys:rotate', '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('usage: pnpm admin keys:rotate');
  });
});

describe('pnpm admin: users', () => {
  it('adds a user with the password from stdin, hashed with argon2id, and audits without the password', async () => {
    const run = await admin(db.prisma, ['user:add', ' Alice@Example.COM ', '--password-stdin', '--admin', '--json'], { stdin: `${PASSWORD}\n` });
    expect(run.code).toBe(0);
    const created = JSON.parse(run.stdout) as { email: string; isAdmin: boolean };
    expect(created).toMatchObject({ email: 'alice@example.com', isAdmin: true });
    const row = await db.prisma.user.findUniqueOrThrow({ where: { email: 'alice@example.com' } });
    expect(row.passwordHash).toMatch(/^\$argon2id\$/);
    expect(await verifyPassword(row.passwordHash, PASSWORD)).toBe(true);
    expect(run.audit).toEqual([expect.objectContaining({ audit: true, event: 'user.created', accountId: row.id, by: 'admin_cli' })]);
    expect(JSON.stringify(run)).not.toContain(PASSWORD);
  });

  it('takes the password from OMNICHAT_PASSWORD too', async () => {
    const run = await admin(db.prisma, ['user:add', 'bob@example.com'], { env: { OMNICHAT_PASSWORD: PASSWORD } });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('created user bob@example.com');
  });

  it.each([
    [['user:add', 'not-an-email', '--password-stdin'], PASSWORD, /not an email address/],
    [['user:add', 'carol@example.com', '--password-stdin'], 'short', /at least 12 characters/],
    [['user:add', 'carol@example.com', '--password-stdin'], 'x'.repeat(1025), /at most 1024 characters/],
  ])('refuses bad input %j with exit 1 and writes nothing', async (argv, stdin, reason) => {
    const run = await admin(db.prisma, argv, { stdin });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(reason);
    expect(await db.prisma.user.count()).toBe(0);
  });

  it('refuses a duplicate email (any case) with exit 1', async () => {
    await admin(db.prisma, ['user:add', 'dave@example.com', '--password-stdin'], { stdin: PASSWORD });
    const run = await admin(db.prisma, ['user:add', 'DAVE@example.com', '--password-stdin'], { stdin: PASSWORD });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/already exists/);
  });

  it('lists users as JSON and as a table', async () => {
    await admin(db.prisma, ['user:add', 'erin@example.com', '--password-stdin'], { stdin: PASSWORD });
    const json = await admin(db.prisma, ['user:list', '--json']);
    expect(JSON.parse(json.stdout)).toEqual([expect.objectContaining({ email: 'erin@example.com', isAdmin: false, disabledAt: null })]);
    const text = await admin(db.prisma, ['user:list']);
    expect(text.stdout).toMatch(/^id\s+email\s+admin\s+disabled\s+created/);
    expect(text.stdout).toContain('erin@example.com');
  });

  it('disables a user: sign-in refused, grants and sessions deleted; --enable undoes the flag', async () => {
    await admin(db.prisma, ['user:add', 'frank@example.com', '--password-stdin'], { stdin: PASSWORD });
    const user = await db.prisma.user.findUniqueOrThrow({ where: { email: 'frank@example.com' } });
    await seedClient('client-f', new Date(), { accountId: user.id, createdAt: new Date() });
    await db.prisma.oidcPayload.create({ data: { model: 'Session', id: 'session-f', payload: { accountId: user.id } } });

    const run = await admin(db.prisma, ['user:disable', 'frank@example.com', '--json']);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ grantsRevoked: 1, sessionsEnded: 1 });
    expect((await db.prisma.user.findUniqueOrThrow({ where: { id: user.id } })).disabledAt).not.toBeNull();
    expect(await db.prisma.oidcPayload.count({ where: { model: { in: ['Grant', 'RefreshToken', 'Session'] } } })).toBe(0);
    expect(run.audit.map((line) => line.event)).toEqual(['user.disabled', 'grant.revoked']);

    expect((await admin(db.prisma, ['user:disable', 'frank@example.com', '--enable'])).code).toBe(0);
    expect((await db.prisma.user.findUniqueOrThrow({ where: { id: user.id } })).disabledAt).toBeNull();
  });

  it('resets a password from stdin and ends sessions; an unknown user is exit 1', async () => {
    await admin(db.prisma, ['user:add', 'gina@example.com', '--password-stdin'], { stdin: PASSWORD });
    const run = await admin(db.prisma, ['user:reset-password', 'gina@example.com', '--password-stdin'], { stdin: 'a brand new passphrase\n' });
    expect(run.code).toBe(0);
    const row = await db.prisma.user.findUniqueOrThrow({ where: { email: 'gina@example.com' } });
    expect(await verifyPassword(row.passwordHash, 'a brand new passphrase')).toBe(true);
    const missing = await admin(db.prisma, ['user:reset-password', 'nobody@example.com', '--password-stdin'], { stdin: PASSWORD });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no user with email nobody@example.com/);
  });
});

describe('pnpm admin: clients and grants', () => {
  it('lists and shows clients with last use, never a secret; unknown ids are exit 1', async () => {
    const registered = new Date(Date.now() - 10 * DAY_MS);
    const used = new Date(Date.now() - 2 * DAY_MS);
    await seedClient('client-a', registered, { accountId: 'acc', createdAt: registered, lastUsedAt: used });
    await db.prisma.oidcPayload.update({ where: { model_id: { model: 'Client', id: 'client-a' } }, data: { payload: { client_id: 'client-a', client_secret: 'top-secret-value', redirect_uris: [] } } });
    const list = await admin(db.prisma, ['client:list', '--json']);
    expect(JSON.parse(list.stdout)).toEqual([expect.objectContaining({ clientId: 'client-a', grants: 1, lastUsedAt: used.toISOString() })]);
    const show = await admin(db.prisma, ['client:show', 'client-a']);
    expect(show.code).toBe(0);
    expect(show.stdout).toContain(`last used:     ${used.toISOString()}`);
    expect(list.stdout + show.stdout).not.toContain('top-secret-value');
    expect((await admin(db.prisma, ['client:show', 'nope'])).code).toBe(1);
    expect((await admin(db.prisma, ['client:delete', 'nope'])).code).toBe(1);
  });

  it('deletes a client with everything issued to it', async () => {
    await seedClient('client-b', new Date(), { accountId: 'acc', createdAt: new Date() });
    const run = await admin(db.prisma, ['client:delete', 'client-b']);
    expect(run.code).toBe(0);
    expect(await db.prisma.oidcPayload.count()).toBe(0);
    expect(run.audit.map((line) => line.event)).toEqual(['grant.revoked', 'client.deleted']);
  });

  it('revokes grants by user or by client, leaving others alone', async () => {
    await admin(db.prisma, ['user:add', 'hana@example.com', '--password-stdin'], { stdin: PASSWORD });
    const hana = await db.prisma.user.findUniqueOrThrow({ where: { email: 'hana@example.com' } });
    await seedClient('client-c', new Date(), { accountId: hana.id, createdAt: new Date() });
    await seedClient('client-d', new Date(), { accountId: 'someone-else', createdAt: new Date() });

    const byUser = await admin(db.prisma, ['grants:revoke', '--user', 'hana@example.com', '--json']);
    expect(JSON.parse(byUser.stdout)).toMatchObject({ grantsRevoked: 1, grantIds: ['grant-client-c'] });
    expect(await db.prisma.oidcPayload.count({ where: { grantId: 'grant-client-d' } })).toBe(2);

    const byClient = await admin(db.prisma, ['grants:revoke', '--client', 'client-d']);
    expect(byClient.code).toBe(0);
    expect(await db.prisma.oidcPayload.count({ where: { grantId: { not: null } } })).toBe(0);
    expect((await admin(db.prisma, ['grants:revoke', '--client', 'never-heard-of-it'])).code).toBe(1);
    expect((await admin(db.prisma, ['grants:revoke', '--user', 'nobody@example.com'])).code).toBe(1);
  });

  it('prunes only clients registered over N days ago and unused for N days; --dry-run deletes nothing', async () => {
    const now = new Date();
    const old = new Date(now.getTime() - 40 * DAY_MS);
    await seedClient('never-used', old);
    await seedClient('used-long-ago', old, { accountId: 'a', createdAt: new Date(now.getTime() - 35 * DAY_MS) });
    await seedClient('refreshed-recently', old, { accountId: 'a', createdAt: old, lastUsedAt: new Date(now.getTime() - DAY_MS) });
    await seedClient('registered-yesterday', new Date(now.getTime() - DAY_MS));

    const dry = await admin(db.prisma, ['clients:prune', '--days', '30', '--dry-run', '--json'], { now });
    expect((JSON.parse(dry.stdout) as { pruned: { clientId: string }[] }).pruned.map((c) => c.clientId).sort()).toEqual(['never-used', 'used-long-ago']);
    expect(await db.prisma.oidcPayload.count({ where: { model: 'Client' } })).toBe(4);

    const run = await admin(db.prisma, ['clients:prune', '--days', '30'], { now });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^pruned 2 client\(s\)/);
    const left = await db.prisma.oidcPayload.findMany({ where: { model: 'Client' }, select: { id: true } });
    expect(left.map((row) => row.id).sort()).toEqual(['refreshed-recently', 'registered-yesterday']);
    expect(await db.prisma.oidcPayload.count({ where: { grantId: 'grant-used-long-ago' } })).toBe(0);
  });
});

describe('pnpm admin: keys', () => {
  it('refuses to promote a next key younger than KEY_PUBLISH_LEAD_SECONDS unless forced, then rotates', async () => {
    const { ensureSigningKey } = await import('@omnichat/signing-keys');
    const secret = 'admin-test-key-encryption-secret-0123456789';
    await ensureSigningKey(db.prisma, secret);
    const before = await db.prisma.signingKey.findMany();
    expect(before.map((key) => key.state).sort()).toEqual(['current', 'next']);

    const early = await admin(db.prisma, ['keys:rotate']);
    expect(early.code).toBe(1);
    expect(early.stderr).toMatch(/wait \d+ s \(or pass --force\)/);

    const later = new Date(Date.now() + 901_000);
    const run = await admin(db.prisma, ['keys:rotate', '--json'], { now: later });
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout) as { currentKid: string; retiredKid: string; nextKid: string };
    expect(result.currentKid).toBe(before.find((key) => key.state === 'next')?.kid);
    expect(result.retiredKid).toBe(before.find((key) => key.state === 'current')?.kid);
    expect(run.audit).toEqual([expect.objectContaining({ event: 'key.rotated', by: 'admin_cli', currentKid: result.currentKid })]);

    const list = await admin(db.prisma, ['keys:list', '--json'], { now: later });
    const keys = JSON.parse(list.stdout) as { kid: string; state: string; deletableAt: string | null }[];
    expect(keys.map((key) => key.state)).toEqual(['next', 'current', 'retired']);
    expect(keys[2]?.deletableAt).not.toBeNull();
    expect(JSON.stringify(keys)).not.toMatch(/"d"|privateJwk/);

    const forced = await admin(db.prisma, ['keys:rotate', '--force'], { now: later });
    expect(forced.code).toBe(0);
  });

  it('refuses key commands when the auth configuration is invalid (one line per problem)', async () => {
    const run = await admin(db.prisma, ['keys:rotate'], { env: { KEY_ENCRYPTION_SECRET: 'short' } });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/KEY_ENCRYPTION_SECRET: KEY_ENCRYPTION_SECRET must be at least 32 characters/);
  });
});

describe('pnpm admin as a process', () => {
  const root = path.resolve(import.meta.dirname, '../../..');
  it('runs through the root script with --json on stdout only and exit codes intact', async () => {
    const run = (args: string[]) =>
      promisify(execFile)('pnpm', ['-s', 'admin', ...args], { cwd: root, env: { ...process.env, DATABASE_URL: db.url } }).then(
        (result) => ({ code: 0, ...result }),
        (error: { code: number; stdout: string; stderr: string }) => error,
      );
    const list = await run(['user:list', '--json']);
    expect(list.code).toBe(0);
    expect(JSON.parse(list.stdout)).toEqual([]);
    const version = await run(['--version']);
    expect([version.code, version.stdout]).toEqual([0, `${(JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string }).version}\n`]);
    const bad = await run(['user:disable', 'nobody@example.com']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('no user with email nobody@example.com');
  }, 60_000);
});
