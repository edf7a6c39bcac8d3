import { createTestDatabase } from '@omnichat/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createPrismaAdapter, sweepExpired } from '../src/adapter/prisma-adapter.js';

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let now = new Date('2026-01-01T00:00:00Z');
const clock = () => now;

beforeAll(async () => {
  db = await createTestDatabase();
});

afterAll(async () => {
  await db?.drop();
});

describe('Prisma adapter for oidc-provider', () => {
  it('lets exactly one of many parallel consumes win', async () => {
    const codes = createPrismaAdapter(db.prisma, clock)('AuthorizationCode');
    await codes.upsert('c1', { grantId: 'g0', clientId: 'x' }, 60);
    const results = await Promise.allSettled(Array.from({ length: 20 }, () => codes.consume('c1')));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason.error)).toEqual(Array(19).fill('invalid_grant'));
    expect((await codes.find('c1'))?.consumed).toBe(Math.floor(now.getTime() / 1000));
  });

  it('revokeByGrantId removes every artefact of the grant and nothing else', async () => {
    const factory = createPrismaAdapter(db.prisma, clock);
    await factory('Grant').upsert('g1', { accountId: 'a', clientId: 'x' }, 3600);
    await factory('RefreshToken').upsert('r1', { grantId: 'g1' }, 3600);
    await factory('AuthorizationCode').upsert('c2', { grantId: 'g1' }, 60);
    await factory('RefreshToken').upsert('r2', { grantId: 'other' }, 3600);
    await factory('RefreshToken').revokeByGrantId('g1');
    expect(await factory('Grant').find('g1')).toBeUndefined();
    expect(await factory('RefreshToken').find('r1')).toBeUndefined();
    expect(await factory('AuthorizationCode').find('c2')).toBeUndefined();
    expect(await factory('RefreshToken').find('r2')).toEqual({ grantId: 'other' });
  });

  it('hides expired rows on read and sweeps them', async () => {
    const sessions = createPrismaAdapter(db.prisma, clock)('Session');
    await sessions.upsert('s1', { uid: 'u1', accountId: 'a' }, 10);
    expect(await sessions.findByUid('u1')).toMatchObject({ accountId: 'a' });
    now = new Date(now.getTime() + 11_000);
    expect(await sessions.find('s1')).toBeUndefined();
    expect(await sessions.findByUid('u1')).toBeUndefined();
    expect(await sweepExpired(db.prisma, clock)).toBeGreaterThanOrEqual(1);
    expect(await db.prisma.oidcPayload.count({ where: { model: 'Session', id: 's1' } })).toBe(0);
  });
});
