// Admin views of oidc-provider's rows (OidcPayload): its Client rows are the dynamically registered
// clients (CIMD clients are fetched, never stored), and every Grant, code and refresh token row
// carries `clientId` (and grants `accountId`) in its payload, which is what these queries key on.
import type { PrismaClient } from '@omnichat/db';

export type ClientSummary = {
  clientId: string;
  clientName: string | null;
  redirectUris: string[];
  tokenEndpointAuthMethod: string | null;
  registeredAt: Date;
  /**
   * Newest sign of use: a grant, code or refresh token row created, or a grant's `lastUsedAt`
   * (stamped by the auth app whenever it issues tokens under the grant).
   */
  lastUsedAt: Date | null;
  grants: number;
};

/** Models whose rows are created only when a client is used (consent, code, refresh). */
const USE_MODELS = ['Grant', 'AuthorizationCode', 'RefreshToken', 'ClientCredentials', 'DeviceCode', 'BackchannelAuthenticationRequest'];

type Usage = { clientId: string; lastUsedAt: Date | null; grants: bigint };

export async function listClients(prisma: PrismaClient, clientId?: string): Promise<ClientSummary[]> {
  const rows = await prisma.oidcPayload.findMany({
    where: { model: 'Client', ...(clientId === undefined ? {} : { id: clientId }) },
    orderBy: { createdAt: 'asc' },
  });
  if (rows.length === 0) return [];
  const usage = await prisma.$queryRaw<Usage[]>`
    SELECT payload->>'clientId' AS "clientId",
           max(GREATEST("createdAt", "lastUsedAt")) AS "lastUsedAt",
           count(*) FILTER (WHERE model = 'Grant') AS grants
      FROM "OidcPayload"
     WHERE model = ANY(${USE_MODELS}) AND payload->>'clientId' = ANY(${rows.map((row) => row.id)})
     GROUP BY 1`;
  const byClient = new Map(usage.map((row) => [row.clientId, row]));
  return rows.map((row) => {
    const payload = row.payload as Record<string, unknown>;
    const used = byClient.get(row.id);
    return {
      clientId: row.id,
      clientName: typeof payload.client_name === 'string' ? payload.client_name : null,
      redirectUris: Array.isArray(payload.redirect_uris) ? payload.redirect_uris.map(String) : [],
      tokenEndpointAuthMethod: typeof payload.token_endpoint_auth_method === 'string' ? payload.token_endpoint_auth_method : null,
      registeredAt: row.createdAt,
      lastUsedAt: used?.lastUsedAt ?? null,
      grants: Number(used?.grants ?? 0),
    };
  });
}

export type GrantOwner = { clientId: string } | { accountId: string };

/**
 * Deletes the matching grants with every artefact issued under them (codes, refresh tokens,
 * interactions): what oidc-provider removes when it revokes a grant, each model's revokeByGrantId
 * and then the Grant itself (Grant rows carry their own id as grantId). Returns the grant ids. Access
 * tokens already issued are JWTs: they carry the grant id (`gid`) for resource servers that check,
 * and otherwise expire within ACCESS_TOKEN_TTL_SECONDS.
 */
export async function revokeGrants(prisma: PrismaClient, owner: GrantOwner): Promise<string[]> {
  const [key, value] = 'clientId' in owner ? ['clientId', owner.clientId] : ['accountId', owner.accountId];
  return prisma.$transaction(async (tx) => {
    const grants = await tx.$queryRaw<{ id: string }[]>`
      SELECT id FROM "OidcPayload" WHERE model = 'Grant' AND payload->>${key} = ${value}`;
    const ids = grants.map((grant) => grant.id);
    if (ids.length > 0) await tx.oidcPayload.deleteMany({ where: { grantId: { in: ids } } });
    return ids;
  });
}

/** Ends the user's browser sessions at the auth server (they sign in again). */
export async function endSessions(prisma: PrismaClient, accountId: string): Promise<number> {
  return prisma.$executeRaw`DELETE FROM "OidcPayload" WHERE model = 'Session' AND payload->>'accountId' = ${accountId}`;
}

/** Deletes a registered client and everything issued to it; false when there was no such client. */
export async function deleteClient(prisma: PrismaClient, clientId: string): Promise<{ deleted: boolean; grants: string[] }> {
  const grants = await revokeGrants(prisma, { clientId });
  const { count } = await prisma.oidcPayload.deleteMany({ where: { model: 'Client', id: clientId } });
  return { deleted: count > 0, grants };
}
