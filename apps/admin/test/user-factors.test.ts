import { createHash } from 'node:crypto';

import { hashPassword } from '@omnichat/db';
import { createTestDatabase, type TestDatabase } from '@omnichat/db/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { parseTtl } from '../src/commands/user-reset-link.js';
import { admin } from './helpers/run.js';

let db: TestDatabase;
let userId: string;
const EMAIL = 'kim@example.com';
const ISSUER = 'https://auth.example.com';

beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});
beforeEach(async () => {
  await db.prisma.oidcPayload.deleteMany();
  await db.prisma.user.deleteMany();
  userId = (await db.prisma.user.create({ data: { email: EMAIL, passwordHash: await hashPassword('correct horse battery staple') } })).id;
});

describe('pnpm admin user:reset-link', () => {
  it('prints a single-use link on ISSUER, stores only its hash, and makes earlier links void', async () => {
    const now = new Date('2026-12-03T12:00:00Z');
    const first = await admin(db.prisma, ['user:reset-link', EMAIL, '--json'], { env: { ISSUER }, now });
    expect(first.code).toBe(0);
    const { url, expiresAt } = JSON.parse(first.stdout) as { url: string; expiresAt: string };
    expect(url).toMatch(/^https:\/\/auth\.example\.com\/account\/reset\/[A-Za-z0-9_-]{43}$/);
    expect(expiresAt).toBe('2026-12-03T13:00:00.000Z');
    const token = url.split('/').pop() as string;
    const rows = await db.prisma.passwordReset.findMany();
    expect(rows).toEqual([expect.objectContaining({ userId, tokenHash: createHash('sha256').update(token).digest('hex'), usedAt: null })]);
    expect(first.audit).toEqual([expect.objectContaining({ event: 'user.reset_link_issued', accountId: userId, by: 'admin_cli' })]);
    expect(JSON.stringify(first.audit)).not.toContain(token);

    const second = await admin(db.prisma, ['user:reset-link', EMAIL, '--ttl', '30m'], { env: { ISSUER }, now });
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('until 2026-12-03T12:30:00.000Z');
    const left = await db.prisma.passwordReset.findMany();
    expect(left).toHaveLength(1);
    expect(left[0]?.tokenHash).not.toBe(rows[0]?.tokenHash);
  });

  it.each([
    [['user:reset-link', EMAIL, '--ttl', '0m'], /--ttl must be a duration/],
    [['user:reset-link', EMAIL, '--ttl', '8d'], /--ttl must be a duration/],
    [['user:reset-link', EMAIL, '--ttl', 'soon'], /--ttl must be a duration/],
    [['user:reset-link', 'nobody@example.com'], /no user with email nobody@example.com/],
  ])('refuses %j with exit 1', async (argv, reason) => {
    const run = await admin(db.prisma, argv, { env: { ISSUER } });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(reason);
    expect(await db.prisma.passwordReset.count()).toBe(0);
  });

  it('refuses a disabled user, and parses durations', async () => {
    await db.prisma.user.update({ where: { id: userId }, data: { disabledAt: new Date() } });
    const run = await admin(db.prisma, ['user:reset-link', EMAIL], { env: { ISSUER } });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/is disabled/);
    expect([parseTtl('90s'), parseTtl('1h'), parseTtl('2d')]).toEqual([90, 3600, 172_800]);
  });
});

describe('pnpm admin user:mfa-reset', () => {
  it('removes the authenticator app, recovery codes and passkeys, ends sessions, and audits it', async () => {
    await db.prisma.totpFactor.create({ data: { userId, secretEncrypted: 'sealed', confirmedAt: new Date() } });
    await db.prisma.recoveryCode.createMany({ data: [{ userId, codeHash: 'a' }, { userId, codeHash: 'b' }] });
    await db.prisma.passkey.create({ data: { userId, credentialId: 'cred-1', publicKey: Buffer.from([1, 2, 3]), name: 'Laptop' } });
    await db.prisma.oidcPayload.create({ data: { model: 'Session', id: 'session-1', payload: { accountId: userId } } });
    const run = await admin(db.prisma, ['user:mfa-reset', EMAIL, '--json']);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ totp: true, passkeys: 1, recoveryCodes: 2, sessionsEnded: 1 });
    expect(run.audit).toEqual([expect.objectContaining({ event: 'mfa.reset', accountId: userId, totp: true, passkeys: 1, recoveryCodes: 2, by: 'admin_cli' })]);
    expect(await db.prisma.totpFactor.count()).toBe(0);
    expect(await db.prisma.passkey.count()).toBe(0);
    expect(await db.prisma.recoveryCode.count()).toBe(0);
    expect(await db.prisma.oidcPayload.count({ where: { model: 'Session' } })).toBe(0);

    const none = await admin(db.prisma, ['user:mfa-reset', EMAIL]);
    expect(none.stdout).toContain('authenticator app none, 0 passkey(s)');
    const missing = await admin(db.prisma, ['user:mfa-reset', 'nobody@example.com']);
    expect(missing.code).toBe(1);
    expect((await admin(db.prisma, ['user:mfa-reset'])).code).toBe(2);
  });
});
