import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createTestDatabase, type TestDatabase } from '@omnichat/db/testing';
import { openSecret } from '@omnichat/secrets';
import { SSH_PRIVATE_KEY_PURPOSE } from '@omnichat/ssh-hosts';
import ssh2 from 'ssh2';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { admin } from './helpers/run.js';

const SECRET = 'admin-test-key-encryption-secret-0123456789';
let db: TestDatabase;
let dir: string;
let keyFile: string;
let clientKey: { private: string; public: string };
let hostKey: string;

beforeAll(async () => {
  db = await createTestDatabase();
  dir = await mkdtemp(path.join(tmpdir(), 'ssh-admin-'));
  clientKey = ssh2.utils.generateKeyPairSync('ed25519');
  hostKey = `${ssh2.utils.generateKeyPairSync('ed25519').public.trim()} root@build-box`;
  keyFile = path.join(dir, 'id_ed25519');
  await writeFile(keyFile, clientKey.private, { mode: 0o600 });
  await writeFile(path.join(dir, 'id_ed25519.pub'), clientKey.public);
  const encrypted = ssh2.utils.generateKeyPairSync('ed25519', { passphrase: 'pass', cipher: 'aes256-ctr', rounds: 4 });
  await writeFile(path.join(dir, 'encrypted'), encrypted.private);
  await writeFile(path.join(dir, 'huge'), 'x'.repeat(70 * 1024));
});
afterAll(async () => {
  await db?.drop();
  await rm(dir, { recursive: true, force: true });
});
beforeEach(async () => {
  await db.prisma.sshExecution.deleteMany();
  await db.prisma.sshHost.deleteMany();
  await db.prisma.user.deleteMany();
});

const addArgs = (name = 'build-box', extra: string[] = []) => [
  'ssh:host:add', '--name', name, '--host', '10.0.0.5', '--port', '2222', '--user', 'deploy', '--key-file', keyFile, '--host-key', hostKey, ...extra,
];

async function user(email: string): Promise<string> {
  return (await db.prisma.user.create({ data: { email, passwordHash: 'not-a-real-hash' } })).id;
}

describe('pnpm admin ssh:host:add', () => {
  it('stores the host with its pinned key canonical and its private key sealed to the row, and audits without key material', async () => {
    const run = await admin(db.prisma, [...addArgs('build-box', ['--allow', 'uptime', '--allow', 'systemctl status [a-z-]+']), '--json']);
    expect(run.code).toBe(0);
    const printed = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(printed).toMatchObject({ name: 'build-box', address: '10.0.0.5', port: 2222, username: 'deploy', commandAllowList: ['uptime', 'systemctl status [a-z-]+'] });
    expect(printed).not.toHaveProperty('privateKeyEncrypted');

    const row = await db.prisma.sshHost.findUniqueOrThrow({ where: { name: 'build-box' } });
    expect(row.hostKey).toBe(hostKey.split(' ').slice(0, 2).join(' '));
    expect(row.privateKeyEncrypted).not.toContain('PRIVATE KEY');
    // The MCP app opens it with the same secret, purpose and row id.
    expect(openSecret(row.privateKeyEncrypted, SECRET, SSH_PRIVATE_KEY_PURPOSE, row.id)).toBe(clientKey.private);

    expect(run.audit).toEqual([expect.objectContaining({ audit: true, event: 'ssh.host_added', host: 'build-box', by: 'admin_cli' })]);
    const everything = JSON.stringify(run);
    expect(everything).not.toContain('PRIVATE KEY');
    expect(everything).not.toContain(row.privateKeyEncrypted);
  });

  const swap = (from: string, to: string) => () => addArgs().map((arg) => (arg === from ? to : arg));
  it.each([
    ['no options', () => ['ssh:host:add'], 2, /--name is required/],
    ['no --host-key', () => addArgs().slice(0, -2), 2, /--host-key is required/],
    ['an upper-case name', () => addArgs('Build-Box'), 1, /name must be/],
    ['a name with a space', () => addArgs('build box'), 1, /name must be/],
    ['an option-like name', () => swap('--name', '--name=-oProxyCommand=x')().filter((arg) => arg !== 'build-box'), 1, /name must be/],
    ['a name with a trailing dot', () => addArgs('build-box.'), 1, /name must be/],
    ['user@host as the host', swap('10.0.0.5', 'root@10.0.0.5'), 1, /host must be a DNS name or an IP address/],
    ['an option as the host', () => swap('--host', '--host=-oProxyCommand=sh')().filter((arg) => arg !== '10.0.0.5'), 1, /host must be a DNS name or an IP address/],
    ['host:port as the host', swap('10.0.0.5', '10.0.0.5:22'), 1, /host must be a DNS name or an IP address/],
    ['[ipv6]:port as the host', swap('10.0.0.5', '[::1]:22'), 1, /host must be a DNS name or an IP address/],
    ['port 0', swap('2222', '0'), 1, /port must be an integer from 1 to 65535/],
    ['port 70000', swap('2222', '70000'), 1, /port must be an integer from 1 to 65535/],
    ['a non-numeric port', swap('2222', '22abc'), 1, /--port must be a whole number/],
    ['an option as the user', () => swap('--user', '--user=-oUser=root')().filter((arg) => arg !== 'deploy'), 1, /user must be a plain account name/],
    ['a user with a space', swap('deploy', 'de ploy'), 1, /user must be a plain account name/],
  ])('refuses %s (exit %i) and stores nothing', async (_label, argv, code, reason) => {
    const run = await admin(db.prisma, argv());
    expect(run.code).toBe(code);
    expect(run.stderr).toMatch(reason);
    expect(await db.prisma.sshHost.count()).toBe(0);
  });

  it.each([
    ['a missing key file', () => addArgs().map((arg) => (arg === keyFile ? path.join(dir, 'nope') : arg)), /cannot read --key-file .*ENOENT/],
    ['a public key as the key file', () => addArgs().map((arg) => (arg === keyFile ? path.join(dir, 'id_ed25519.pub') : arg)), /holds a public key; give the private key/],
    ['a passphrase-protected key', () => addArgs().map((arg) => (arg === keyFile ? path.join(dir, 'encrypted') : arg)), /private key is not usable: .*passphrase/],
    ['a huge key file', () => addArgs().map((arg) => (arg === keyFile ? path.join(dir, 'huge') : arg)), /larger than 65536 bytes/],
    ['a garbage host key', () => addArgs().map((arg) => (arg === hostKey ? 'ssh-ed25519 AAAAnotakey' : arg)), /host key is not an OpenSSH public key/],
    ['a private key as the host key', () => [...addArgs().slice(0, -2), `--host-key=${clientKey.private}`], /host key must be one OpenSSH public key line/],
    ['a private key on one line as the host key', () => [...addArgs().slice(0, -2), `--host-key=${clientKey.private.replace(/\n/g, ' ')}`], /host key is not an OpenSSH public key/],
    ['two host key lines', () => addArgs().map((arg) => (arg === hostKey ? `${hostKey}\n${hostKey}` : arg)), /one OpenSSH public key line/],
    ['an allow-list pattern that does not compile', () => addArgs('build-box', ['--allow', 'uptime(']), /allow-list pattern "uptime\(" is not a valid regular expression/],
  ])('refuses %s with exit 1 and stores nothing', async (_label, argv, reason) => {
    const run = await admin(db.prisma, argv());
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(reason);
    expect(await db.prisma.sshHost.count()).toBe(0);
  });

  it('refuses a name already approved, leaving the first host as it was', async () => {
    expect((await admin(db.prisma, addArgs())).code).toBe(0);
    const before = await db.prisma.sshHost.findUniqueOrThrow({ where: { name: 'build-box' } });
    const run = await admin(db.prisma, addArgs('build-box').map((arg) => (arg === '10.0.0.5' ? '10.0.0.6' : arg)));
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/a host named "build-box" already exists/);
    expect(await db.prisma.sshHost.findUniqueOrThrow({ where: { name: 'build-box' } })).toEqual(before);
  });

  it('refuses to seal with a KEY_ENCRYPTION_SECRET the apps would refuse', async () => {
    const run = await admin(db.prisma, addArgs(), { env: { KEY_ENCRYPTION_SECRET: 'short' } });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/KEY_ENCRYPTION_SECRET must be at least 32 characters/);
    const production = await admin(db.prisma, addArgs(), { env: { KEY_ENCRYPTION_SECRET: '', NODE_ENV: 'production' } });
    expect(production.code).toBe(1);
    expect(await db.prisma.sshHost.count()).toBe(0);
  });
});

describe('pnpm admin ssh:grant, ssh:revoke, ssh:host:list, ssh:host:remove', () => {
  it('grants, lists, revokes and removes, auditing each change', async () => {
    const alice = await user('alice@example.com');
    await admin(db.prisma, addArgs());
    const granted = await admin(db.prisma, ['ssh:grant', '--user', 'ALICE@example.com', '--host', 'build-box']);
    expect(granted.code).toBe(0);
    expect(granted.stdout).toContain('granted build-box to alice@example.com');
    expect(granted.audit).toEqual([expect.objectContaining({ audit: true, event: 'ssh.granted', host: 'build-box', accountId: alice })]);
    const again = await admin(db.prisma, ['ssh:grant', '--user', 'alice@example.com', '--host', 'build-box', '--json']);
    expect(JSON.parse(again.stdout)).toEqual({ user: 'alice@example.com', host: 'build-box', alreadyGranted: true });
    expect(again.audit).toEqual([]);

    const list = await admin(db.prisma, ['ssh:host:list', '--json']);
    const hosts = JSON.parse(list.stdout) as Array<Record<string, unknown>>;
    expect(hosts).toEqual([expect.objectContaining({ name: 'build-box', users: ['alice@example.com'] })]);
    expect(list.stdout).not.toContain('privateKeyEncrypted');
    expect((await admin(db.prisma, ['ssh:host:list'])).stdout).toMatch(/build-box\s+deploy@10\.0\.0\.5:2222\s+ssh-ed25519/);

    const revoked = await admin(db.prisma, ['ssh:revoke', '--user', 'alice@example.com', '--host', 'build-box']);
    expect(revoked.code).toBe(0);
    expect(revoked.audit).toEqual([expect.objectContaining({ event: 'ssh.revoked', accountId: alice })]);
    expect(await db.prisma.sshGrant.count()).toBe(0);
    const revokedAgain = await admin(db.prisma, ['ssh:revoke', '--user', 'alice@example.com', '--host', 'build-box']);
    expect(revokedAgain.code).toBe(1);
    expect(revokedAgain.stderr).toMatch(/alice@example.com has no grant on build-box/);

    await admin(db.prisma, ['ssh:grant', '--user', 'alice@example.com', '--host', 'build-box']);
    await db.prisma.sshExecution.create({ data: { userId: alice, clientId: 'c', hostName: 'build-box', command: 'id', outcome: 'ok' } });
    const removed = await admin(db.prisma, ['ssh:host:remove', 'build-box', '--json']);
    expect(JSON.parse(removed.stdout)).toEqual({ name: 'build-box', grantsRemoved: 1 });
    expect(removed.audit).toEqual([expect.objectContaining({ event: 'ssh.host_removed', host: 'build-box', grantsRemoved: 1 })]);
    expect(await db.prisma.sshHost.count()).toBe(0);
    expect(await db.prisma.sshGrant.count()).toBe(0);
    expect(await db.prisma.sshExecution.count()).toBe(1);
  });

  it.each([
    [['ssh:grant', '--user', 'alice@example.com'], 2, /--user and --host are both required/],
    [['ssh:grant', '--host', 'build-box'], 2, /--user and --host are both required/],
    [['ssh:grant', '--user', 'nobody@example.com', '--host', 'build-box'], 1, /no user with email nobody@example.com/],
    [['ssh:grant', '--user', 'alice@example.com', '--host', 'prod-db'], 1, /no approved SSH host named "prod-db"/],
    [['ssh:grant', '--user', 'alice@example.com', '--host', 'BUILD-BOX'], 1, /no approved SSH host named "BUILD-BOX"/],
    [['ssh:revoke', '--user', 'alice@example.com'], 2, /--user and --host are both required/],
    [['ssh:revoke', '--user', 'alice@example.com', '--host', 'prod-db'], 1, /no approved SSH host named "prod-db"/],
    [['ssh:host:remove'], 2, /missing argument/],
    [['ssh:host:remove', 'prod-db'], 1, /no approved SSH host named "prod-db"/],
    [['ssh:host:remove', 'build-box', 'extra'], 2, /unexpected argument "extra"/],
  ])('refuses %j with exit %i', async (argv, code, reason) => {
    await user('alice@example.com');
    await admin(db.prisma, addArgs());
    const run = await admin(db.prisma, argv);
    expect(run.code).toBe(code);
    expect(run.stderr).toMatch(reason);
    expect(await db.prisma.sshGrant.count()).toBe(0);
    expect(await db.prisma.sshHost.count()).toBe(1);
  });
});

describe('pnpm admin ssh:audit', () => {
  async function seed() {
    const alice = await user('alice@example.com');
    const bob = await user('bob@example.com');
    const at = (minutes: number) => new Date(Date.UTC(2026, 0, 1, 0, minutes));
    await db.prisma.sshExecution.createMany({
      data: [
        { userId: alice, clientId: 'chatgpt', hostName: 'build-box', command: 'uptime', outcome: 'ok', exitCode: 0, durationMs: 12, bytesOut: 40, at: at(1) },
        { userId: alice, clientId: 'chatgpt', hostName: 'prod-db', command: 'id', outcome: 'host_not_approved', at: at(2) },
        { userId: bob, clientId: 'claude', hostName: 'build-box', command: 'yes\n\u001b[2J', outcome: 'output_cap', bytesOut: 70000, truncated: true, at: at(3) },
      ],
    });
    return { alice, bob };
  }

  it('shows one user\'s attempts newest first, refusals included', async () => {
    const { alice } = await seed();
    const run = await admin(db.prisma, ['ssh:audit', '--user', 'alice@example.com', '--json']);
    expect(run.code).toBe(0);
    const rows = JSON.parse(run.stdout) as Array<Record<string, unknown>>;
    expect(rows.map((row) => [row['hostName'], row['outcome'], row['email'], row['userId']])).toEqual([
      ['prod-db', 'host_not_approved', 'alice@example.com', alice],
      ['build-box', 'ok', 'alice@example.com', alice],
    ]);
  });

  it('shows one host\'s attempts, with caller-given text escaped onto one line in the table', async () => {
    await seed();
    const run = await admin(db.prisma, ['ssh:audit', '--host', 'build-box']);
    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[1]).toMatch(/bob@example\.com\s+claude\s+build-box\s+output_cap\s+-\s+0\s+70000 \(cut\)\s+yes\\n\\u001b\[2J/);
    expect(run.stdout).not.toContain('\u001b');
    expect(lines[2]).toMatch(/alice@example\.com\s+chatgpt\s+build-box\s+ok\s+0\s+12\s+40\s+uptime/);
  });

  it('combines --user and --host, and honours --limit', async () => {
    await seed();
    const both = JSON.parse((await admin(db.prisma, ['ssh:audit', '--user', 'alice@example.com', '--host', 'build-box', '--json'])).stdout) as unknown[];
    expect(both).toHaveLength(1);
    const limited = JSON.parse((await admin(db.prisma, ['ssh:audit', '--host', 'build-box', '--limit', '1', '--json'])).stdout) as Array<Record<string, unknown>>;
    expect(limited.map((row) => row['outcome'])).toEqual(['output_cap']);
  });

  it.each([
    [['ssh:audit'], 2, /give --user, --host or both/],
    [['ssh:audit', '--host', 'build-box', '--limit', '0'], 1, /--limit must be a whole number from 1 to 10000/],
    [['ssh:audit', '--host', 'build-box', '--limit', 'ten'], 1, /--limit must be a whole number/],
    [['ssh:audit', '--user', 'nobody@example.com'], 1, /no user with email nobody@example.com/],
    [['ssh:audit', '--user'], 2, /argument missing|requires|--user/],
  ])('refuses %j with exit %i', async (argv, code, reason) => {
    const run = await admin(db.prisma, argv);
    expect(run.code).toBe(code);
    expect(run.stderr).toMatch(reason);
    expect(run.stdout).toBe('');
  });
});
