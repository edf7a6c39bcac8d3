// `pnpm admin user:delete` against a real auth app: a user who linked a client through the real
// pages is deleted, and what they held stops working (refresh refused, sessions gone), audited;
// the last admin who can sign in is refused.
import { createTestDatabase, type TestDatabase } from '@omnichat/db/testing';
import * as oauth from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createUser, startAuthServer, type RunningAuthServer } from '@omnichat/auth/testing';
import { obtainTokens } from '@omnichat/testkit';
import { admin } from '@omnichat/admin/testing';

const PASSWORD = 'correct horse battery staple';
let db: TestDatabase;
let auth: RunningAuthServer;

beforeAll(async () => {
  db = await createTestDatabase();
  auth = await startAuthServer({ prisma: db.prisma, resourceUrl: 'http://127.0.0.1:3999/mcp' });
});
afterAll(async () => {
  await auth?.close();
  await db?.drop();
});

describe('pnpm admin user:delete', () => {
  it('revokes the grants, ends the sessions, deletes the user and their files; the refresh token is refused; audited', async () => {
    const userId = await createUser(db.prisma, 'leaving@example.com', PASSWORD);
    await db.prisma.file.create({ data: { userId, path: 'notes.txt', content: 'mine', sizeBytes: 4 } });
    const tokens = await obtainTokens({ issuer: auth.issuer, email: 'leaving@example.com', password: PASSWORD, resource: 'http://127.0.0.1:3999/mcp', scope: 'files:read' });
    const sessionsBefore = await db.prisma.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM "OidcPayload" WHERE model = 'Session' AND payload->>'accountId' = ${userId}`;
    expect(sessionsBefore[0]?.n).toBeGreaterThan(0);

    const run = await admin(db.prisma, ['user:delete', 'Leaving@Example.com', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as { grantsRevoked: number; sessionsEnded: number };
    expect(result.grantsRevoked).toBe(1);
    expect(result.sessionsEnded).toBe(sessionsBefore[0]?.n);
    expect(run.audit.map((line) => line.event)).toEqual(['grant.revoked', 'user.deleted']);
    expect(run.audit[1]).toMatchObject({ accountId: userId, wasAdmin: false, grantsRevoked: 1, by: 'admin_cli' });

    expect(await db.prisma.user.findUnique({ where: { id: userId } })).toBeNull();
    expect(await db.prisma.file.count({ where: { userId } })).toBe(0);
    const left = await db.prisma.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM "OidcPayload" WHERE payload->>'accountId' = ${userId}`;
    expect(left[0]?.n).toBe(0);
    await expect(oauth.refreshTokenGrant(tokens.config, tokens.refreshToken!, { resource: 'http://127.0.0.1:3999/mcp' })).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  it('refuses the last admin who can sign in (a disabled admin does not count), and deletes an admin when another remains', async () => {
    const only = await db.prisma.user.create({ data: { email: 'only-admin@example.com', passwordHash: 'x', isAdmin: true } });
    await db.prisma.user.create({ data: { email: 'disabled-admin@example.com', passwordHash: 'x', isAdmin: true, disabledAt: new Date() } });
    const refused = await admin(db.prisma, ['user:delete', 'only-admin@example.com']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('only-admin@example.com is the last admin who can sign in');
    expect(refused.audit).toEqual([]);
    expect(await db.prisma.user.findUnique({ where: { id: only.id } })).not.toBeNull();

    // The disabled admin is not the last one who can sign in: it may go.
    expect((await admin(db.prisma, ['user:delete', 'disabled-admin@example.com'])).code).toBe(0);
    await db.prisma.user.create({ data: { email: 'second-admin@example.com', passwordHash: 'x', isAdmin: true } });
    const deleted = await admin(db.prisma, ['user:delete', 'only-admin@example.com']);
    expect(deleted.code, deleted.stderr).toBe(0);
    expect(deleted.audit.at(-1)).toMatchObject({ event: 'user.deleted', wasAdmin: true });
  });

  it.each([
    [['user:delete'], 2, /missing argument/],
    [['user:delete', 'a@example.com', 'b@example.com'], 2, /unexpected argument/],
    [['user:delete', 'nobody@example.com'], 1, /no user with email nobody@example.com/],
  ])('refuses %j (exit %i)', async (argv, code, reason) => {
    const run = await admin(db.prisma, argv);
    expect(run.code).toBe(code);
    expect(run.stderr).toMatch(reason);
  });
});
