import { audit, type AuditActor, type AuditLogger } from '@omnichat/audit';

import type { PrismaClient } from '../generated/client.js';
import { liveAt, OIDC_MODEL } from './models.js';

/** What a Grant row's payload holds that we read (oidc-provider writes it). */
export type GrantPayload = { accountId?: string; clientId?: string; openid?: { scope?: string }; resources?: Record<string, string>; iat?: number };

/** Live Grant rows of one account (optionally for one client), newest first. */
export async function accountGrants(prisma: PrismaClient, owner: { accountId: string; clientId?: string | undefined }, now: Date = new Date()) {
  const rows = await prisma.oidcPayload.findMany({
    where: {
      model: OIDC_MODEL.Grant,
      AND: [
        { payload: { path: ['accountId'], equals: owner.accountId } },
        ...(owner.clientId ? [{ payload: { path: ['clientId'], equals: owner.clientId } }] : []),
        liveAt(now),
      ],
    },
    orderBy: { createdAt: 'desc' },
  });
  return rows.map((row) => ({ ...row, payload: row.payload as GrantPayload }));
}

/** Which of these grants are live: their Grant row is there and not past its `expiresAt`. */
export async function liveGrantIds(prisma: PrismaClient, grantIds: readonly string[], now: Date = new Date()): Promise<Set<string>> {
  const rows = await prisma.oidcPayload.findMany({
    where: { model: OIDC_MODEL.Grant, id: { in: [...grantIds] }, ...liveAt(now) },
    select: { id: true },
  });
  return new Set(rows.map((row) => row.id));
}

/** Stamps a grant's "last used" (tokens issued or refreshed under it). */
export async function markGrantUsed(prisma: PrismaClient, grantId: string, now: Date): Promise<void> {
  await prisma.oidcPayload.updateMany({ where: { model: OIDC_MODEL.Grant, id: grantId }, data: { lastUsedAt: now } });
}

/** Which grants to revoke: those of an account, of a client, of an account for a client, or by id. */
export type GrantSelection = { accountId: string; clientId?: string } | { clientId: string } | { grantIds: readonly string[]; clientId?: string | undefined };

/** Who revokes, and where the audit trail goes. */
export type Revoker = { log: AuditLogger; by: AuditActor };

/**
 * The one audit line of a grant's revocation, whoever revoked it: this module's revokeGrants, or
 * oidc-provider itself (its revocation endpoint, code or refresh token replay) through its
 * `grant.revoked` event.
 */
export function auditGrantRevoked(revoker: Revoker, grantId: string, owner: { clientId?: string | undefined; accountId?: string | undefined } = {}): void {
  audit(revoker.log, { event: 'grant.revoked', grantId, ...owner, by: revoker.by });
}

/**
 * Revokes grants: deletes each Grant with every artefact issued under it (codes, refresh tokens and
 * their rotation replies, interactions; every row carrying its `grantId`, the Grant's own row
 * included), in one transaction, and writes one `grant.revoked` audit line per grant. What
 * oidc-provider removes when it revokes a grant, so refresh tokens stop working at once. Access
 * tokens already issued are JWTs: they carry the grant id (`gid`) and the MCP server refuses them
 * once it sees the Grant row gone; otherwise they expire within their TTL. Returns the grant ids.
 */
export async function revokeGrants(prisma: PrismaClient, selection: GrantSelection, revoker: Revoker): Promise<string[]> {
  const ids = await prisma.$transaction(async (tx) => {
    const found = 'grantIds' in selection ? [...selection.grantIds] : await selectedGrantIds(tx, selection);
    if (found.length > 0) await tx.oidcPayload.deleteMany({ where: { grantId: { in: found } } });
    return found;
  });
  const owner = 'grantIds' in selection ? { clientId: selection.clientId } : selection;
  for (const grantId of ids) auditGrantRevoked(revoker, grantId, owner);
  return ids;
}

type Tx = Parameters<Parameters<PrismaClient['$transaction']>[0]>[0];

async function selectedGrantIds(tx: Tx, owner: { accountId?: string; clientId?: string }): Promise<string[]> {
  const conditions = [
    ...(owner.accountId === undefined ? [] : [{ payload: { path: ['accountId'], equals: owner.accountId } }]),
    ...(owner.clientId === undefined ? [] : [{ payload: { path: ['clientId'], equals: owner.clientId } }]),
  ];
  if (conditions.length === 0) throw new TypeError('revokeGrants needs an account, a client or grant ids');
  const rows = await tx.oidcPayload.findMany({ where: { model: OIDC_MODEL.Grant, AND: conditions }, select: { id: true } });
  return rows.map((row) => row.id);
}
