import { seedAdmin } from '@omnichat/db';
import { createTestDatabase, type TestDatabase } from '@omnichat/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { admin } from './helpers/run.js';

// Issue 14 §4: an account an admin creates or seeds has a verified address unless --unverified.
const PASSWORD = 'correct horse battery staple';
let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});

describe('email verification of admin-created accounts', () => {
  it('user:add marks the address verified', async () => {
    const run = await admin(db.prisma, ['user:add', 'vouched@example.com', '--password-stdin', '--json'], { stdin: PASSWORD });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ email: 'vouched@example.com', emailVerified: true });
    expect((await db.prisma.user.findUniqueOrThrow({ where: { email: 'vouched@example.com' } })).emailVerifiedAt).toBeInstanceOf(Date);
    expect(run.audit).toEqual([expect.objectContaining({ event: 'user.created', emailVerified: true })]);
  });

  it('user:add --unverified leaves it unverified and says so', async () => {
    const run = await admin(db.prisma, ['user:add', 'unchecked@example.com', '--password-stdin', '--unverified'], { stdin: PASSWORD });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('email unverified');
    expect((await db.prisma.user.findUniqueOrThrow({ where: { email: 'unchecked@example.com' } })).emailVerifiedAt).toBeNull();
  });

  it('refuses a value for --unverified', async () => {
    const run = await admin(db.prisma, ['user:add', 'valued@example.com', '--password-stdin', '--unverified=no'], { stdin: PASSWORD });
    expect(run.code).not.toBe(0);
    expect(await db.prisma.user.findUnique({ where: { email: 'valued@example.com' } })).toBeNull();
  });

  it('the seeded admin is verified', async () => {
    expect(await seedAdmin(db.prisma, { email: 'seeded@example.com', password: PASSWORD })).toBe('created');
    expect((await db.prisma.user.findUniqueOrThrow({ where: { email: 'seeded@example.com' } })).emailVerifiedAt).toBeInstanceOf(Date);
  });
});
