import { createTestDatabase } from '@omnichat/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { sweepExpired } from '@omnichat/db/oidc-store';
import { createPrismaAdapter } from '../src/adapter/prisma-adapter.js';

// find, consume and upsert run as prepared statements on the Prisma client's pool (performance:
// bench/, auth.token.refresh). These pin that they store and compare instants exactly as the
// Prisma queries did, whatever the process's time zone, and that Prisma still reads the rows.
let db: Awaited<ReturnType<typeof createTestDatabase>>;
const savedTz = process.env.TZ;

beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  process.env.TZ = savedTz;
  await db?.drop();
});

describe.each(['UTC', 'America/New_York', 'Asia/Kathmandu'])('Prisma adapter SQL with the process in %s', (zone) => {
  beforeAll(() => {
    process.env.TZ = zone;
  });
  afterAll(() => {
    process.env.TZ = savedTz;
  });

  it('stores expiresAt as the UTC instant Prisma reads back, and hides the row exactly at expiry (AS-70)', async () => {
    let now = new Date('2026-03-01T10:00:00.000Z');
    const tokens = createPrismaAdapter(db.prisma, () => now)('RefreshToken');
    const id = `rt-${zone}`;
    await tokens.upsert(id, { grantId: 'g', clientId: 'c', nested: { scope: 'a b' } }, 60);
    const row = await db.prisma.oidcPayload.findUniqueOrThrow({ where: { model_id: { model: 'RefreshToken', id } } });
    expect(row.expiresAt?.toISOString()).toBe('2026-03-01T10:01:00.000Z');
    expect(row.grantId).toBe('g');
    expect(row.payload).toEqual({ grantId: 'g', clientId: 'c', nested: { scope: 'a b' } });

    now = new Date('2026-03-01T10:00:59.999Z');
    expect(await tokens.find(id)).toEqual({ grantId: 'g', clientId: 'c', nested: { scope: 'a b' } });
    now = new Date('2026-03-01T10:01:00.000Z');
    expect(await tokens.find(id)).toBeUndefined();
  });

  it('records consumedAt as the consuming instant and refuses a second consume', async () => {
    const now = new Date('2026-03-02T08:30:15.250Z');
    const codes = createPrismaAdapter(db.prisma, () => now)('AuthorizationCode');
    const id = `code-${zone}`;
    await codes.upsert(id, { grantId: 'g2' }, 60);
    await codes.consume(id);
    await expect(codes.consume(id)).rejects.toMatchObject({ error: 'invalid_grant' });
    const row = await db.prisma.oidcPayload.findUniqueOrThrow({ where: { model_id: { model: 'AuthorizationCode', id } } });
    expect(row.consumedAt?.toISOString()).toBe('2026-03-02T08:30:15.250Z');
    expect((await codes.find(id))?.consumed).toBe(Math.floor(now.getTime() / 1000));
  });

  it('replaces a row on upsert and keeps no expiry when none is given', async () => {
    const now = new Date('2026-03-03T00:00:00.000Z');
    const sessions = createPrismaAdapter(db.prisma, () => now)('Session');
    const id = `s-${zone}`;
    await sessions.upsert(id, { uid: 'u1', accountId: 'a' }, 0);
    await sessions.upsert(id, { uid: 'u2', accountId: 'a' }, 0);
    expect(await sessions.find(id)).toEqual({ uid: 'u2', accountId: 'a' });
    expect(await sessions.findByUid('u2')).toEqual({ uid: 'u2', accountId: 'a' });
    expect(await sessions.findByUid('u1')).toBeUndefined();
    const row = await db.prisma.oidcPayload.findUniqueOrThrow({ where: { model_id: { model: 'Session', id } } });
    expect(row.expiresAt).toBeNull();
    expect(await sweepExpired(db.prisma, () => new Date('2100-01-01T00:00:00Z'))).toBeGreaterThanOrEqual(0);
    expect(await sessions.find(id)).toBeDefined();
  });
});
