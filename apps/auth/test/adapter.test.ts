import { createTestDatabase } from '@omnichat/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { errors } from 'oidc-provider';

import { AlreadyConsumedError } from '../src/adapter/already-consumed.js';
import { OIDC_MODEL, sweepExpired } from '@omnichat/db/oidc-store';
import { createPrismaAdapter } from '../src/adapter/prisma-adapter.js';

const REFRESH_REPLAY_MODEL = OIDC_MODEL.RefreshReplay;

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

  it('tells a lost race by its error class, still an invalid_grant to the client', async () => {
    const tokens = createPrismaAdapter(db.prisma, clock)('RefreshToken');
    await tokens.upsert('r-race', { grantId: 'g-race', clientId: 'x' }, 60);
    await tokens.consume('r-race');
    const lost = await tokens.consume('r-race').catch((error: unknown) => error);
    expect(lost).toBeInstanceOf(AlreadyConsumedError);
    expect(lost).toBeInstanceOf(errors.InvalidGrant);
    expect(lost).toMatchObject({ name: 'InvalidGrant', error: 'invalid_grant', statusCode: 400 });
    const unknown = await tokens.consume('missing\u0000').catch((error: unknown) => error);
    expect(unknown).toBeInstanceOf(errors.InvalidGrant);
    expect(unknown).not.toBeInstanceOf(AlreadyConsumedError);
  });

  it("revokeByGrantId removes its own model's artefacts of the grant only: not the Grant, another model's tokens or an interaction in flight", async () => {
    const factory = createPrismaAdapter(db.prisma, clock);
    await factory('Grant').upsert('g1', { accountId: 'a', clientId: 'x' }, 3600);
    await factory('RefreshToken').upsert('r1', { grantId: 'g1' }, 3600);
    await factory('AuthorizationCode').upsert('c2', { grantId: 'g1' }, 60);
    await factory('Interaction').upsert('i1', { grantId: 'g1', uid: 'i1' }, 600);
    await factory('RefreshToken').upsert('r2', { grantId: 'other' }, 3600);
    await db.prisma.oidcPayload.create({ data: { model: REFRESH_REPLAY_MODEL, id: 'rp1', grantId: 'g1', payload: {}, expiresAt: new Date(now.getTime() + 10_000) } });
    await factory('RefreshToken').revokeByGrantId('g1');
    expect(await factory('RefreshToken').find('r1')).toBeUndefined();
    // A rotation's stored reply is part of the refresh token family.
    expect(await db.prisma.oidcPayload.count({ where: { model: REFRESH_REPLAY_MODEL, id: 'rp1' } })).toBe(0);
    // oidc-provider destroys the Grant itself when revokeGrantPolicy says so, and revokes codes
    // through the AuthorizationCode model; an interaction is not a token of the grant.
    expect(await factory('Grant').find('g1')).toMatchObject({ accountId: 'a' });
    expect(await factory('AuthorizationCode').find('c2')).toEqual({ grantId: 'g1' });
    expect(await factory('Interaction').find('i1')).toEqual({ grantId: 'g1', uid: 'i1' });
    expect(await factory('RefreshToken').find('r2')).toEqual({ grantId: 'other' });
    await factory('AuthorizationCode').revokeByGrantId('g1');
    expect(await factory('AuthorizationCode').find('c2')).toBeUndefined();
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
