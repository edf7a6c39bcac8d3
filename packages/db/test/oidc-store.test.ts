import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { accountGrants, liveGrantIds, OIDC_MODEL, revokeGrants } from '../src/oidc-store/index.js';
import { createTestDatabase, type TestDatabase } from '../src/testing.js';

let db: TestDatabase;
const HOUR = 3600_000;

beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});

/** A Grant row as oidc-provider's adapter writes it (its own id as grantId), with a refresh token and a replay under it. */
async function grant(id: string, accountId: string, clientId: string, expiresAt: Date | null = null) {
  await db.prisma.oidcPayload.createMany({
    data: [
      { model: OIDC_MODEL.Grant, id, grantId: id, payload: { accountId, clientId }, expiresAt },
      { model: OIDC_MODEL.RefreshToken, id: `rt-${id}`, grantId: id, payload: { accountId, clientId, grantId: id } },
      { model: OIDC_MODEL.RefreshReplay, id: `rp-${id}`, grantId: id, payload: { clientId } },
    ],
  });
}

const rowsUnder = (grantId: string) => db.prisma.oidcPayload.count({ where: { grantId } });

function auditSink() {
  const lines: object[] = [];
  return { lines, revoker: { log: { info: (object: object) => lines.push(object) }, by: 'admin_cli' as const } };
}

describe('@omnichat/db/oidc-store', () => {
  it('a Grant row past its expiresAt is not live, nor listed for its account, before any sweep', async () => {
    const now = new Date();
    await grant('g-live', 'acct-a', 'client-1', new Date(now.getTime() + HOUR));
    await grant('g-expired', 'acct-a', 'client-1', new Date(now.getTime() - 1));
    expect(await liveGrantIds(db.prisma, ['g-live', 'g-expired', 'g-never'], now)).toEqual(new Set(['g-live']));
    expect((await accountGrants(db.prisma, { accountId: 'acct-a', clientId: 'client-1' }, now)).map((row) => row.id)).toEqual(['g-live']);
  });

  it('revoking an account\'s grants for one client deletes every row under them and writes one audit line each', async () => {
    await grant('g-b1', 'acct-b', 'client-1');
    await grant('g-b2', 'acct-b', 'client-2');
    await grant('g-c1', 'acct-c', 'client-1');
    const { lines, revoker } = auditSink();
    expect(await revokeGrants(db.prisma, { accountId: 'acct-b', clientId: 'client-1' }, revoker)).toEqual(['g-b1']);
    expect(await rowsUnder('g-b1')).toBe(0);
    expect(await rowsUnder('g-b2')).toBe(3);
    expect(await rowsUnder('g-c1')).toBe(3);
    expect(lines).toEqual([{ audit: true, event: 'grant.revoked', grantId: 'g-b1', accountId: 'acct-b', clientId: 'client-1', by: 'admin_cli' }]);
  });

  it('revoking by grant id removes the tokens even when the Grant row is already gone', async () => {
    await grant('g-d', 'acct-d', 'client-1');
    await db.prisma.oidcPayload.delete({ where: { model_id: { model: OIDC_MODEL.Grant, id: 'g-d' } } });
    const { lines, revoker } = auditSink();
    expect(await revokeGrants(db.prisma, { grantIds: ['g-d'], clientId: 'client-1' }, revoker)).toEqual(['g-d']);
    expect(await rowsUnder('g-d')).toBe(0);
    expect(lines).toHaveLength(1);
  });

  it('refuses a selection that names no owner, rather than revoking every grant', async () => {
    const { revoker } = auditSink();
    await expect(revokeGrants(db.prisma, {} as { clientId: string }, revoker)).rejects.toThrow(/needs an account, a client or grant ids/);
    expect(await rowsUnder('g-c1')).toBe(3);
  });
});
