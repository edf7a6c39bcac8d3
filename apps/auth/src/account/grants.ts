import type { PrismaClient } from '@omnichat/db';
import type Provider from 'oidc-provider';

import { describeScopes, grantScopes } from '../interactions/requested-scopes.js';
import type { ConnectedApp } from '../views/account.js';

type GrantPayload = { accountId?: string; clientId?: string; openid?: { scope?: string }; resources?: Record<string, string>; iat?: number };

/** Live Grant rows of one account (optionally for one client), newest first. */
async function accountGrants(prisma: PrismaClient, accountId: string, clientId?: string) {
  const rows = await prisma.oidcPayload.findMany({
    where: {
      model: 'Grant',
      AND: [
        { payload: { path: ['accountId'], equals: accountId } },
        ...(clientId ? [{ payload: { path: ['clientId'], equals: clientId } }] : []),
        { OR: [{ expiresAt: null }, { expiresAt: { gt: new Date() } }] },
      ],
    },
    orderBy: { createdAt: 'desc' },
  });
  return rows.map((row) => ({ ...row, payload: row.payload as GrantPayload }));
}

/**
 * loadExistingGrant's fallback: this account's newest grant for the client, so a scope granted
 * once is not asked again in another browser or after the session ends; a new scope still is.
 */
export async function findAccountGrantId(prisma: PrismaClient, accountId: string, clientId: string): Promise<string | undefined> {
  return (await accountGrants(prisma, accountId, clientId))[0]?.id;
}

/** The account page's list: one entry per client, its scopes merged across its grants. */
export async function connectedApps(prisma: PrismaClient, provider: Provider, accountId: string): Promise<ConnectedApp[]> {
  const byClient = new Map<string, { scopes: Set<string>; grantedAt: Date; lastUsedAt: Date | undefined }>();
  for (const row of await accountGrants(prisma, accountId)) {
    const clientId = row.payload.clientId;
    if (!clientId) continue;
    const entry = byClient.get(clientId) ?? { scopes: new Set<string>(), grantedAt: row.createdAt, lastUsedAt: undefined };
    for (const scope of grantScopes(row.payload)) entry.scopes.add(scope);
    if (row.createdAt < entry.grantedAt) entry.grantedAt = row.createdAt;
    if (row.lastUsedAt && (!entry.lastUsedAt || row.lastUsedAt > entry.lastUsedAt)) entry.lastUsedAt = row.lastUsedAt;
    byClient.set(clientId, entry);
  }
  const apps = await Promise.all([...byClient].map(async ([clientId, entry]) => ({
    clientId,
    name: await clientName(provider, clientId),
    scopes: describeScopes(entry.scopes),
    grantedAt: entry.grantedAt,
    lastUsedAt: entry.lastUsedAt,
  })));
  return apps.sort((a, b) => (b.lastUsedAt ?? b.grantedAt).getTime() - (a.lastUsedAt ?? a.grantedAt).getTime());
}

/** A client that can no longer be loaded (deleted, or its CIMD document unreachable) keeps a name. */
async function clientName(provider: Provider, clientId: string): Promise<string> {
  const client = await provider.Client.find(clientId).catch(() => undefined);
  return client?.clientName || URL.parse(client?.redirectUris?.[0] ?? clientId)?.host || clientId;
}

/**
 * "Revoke": every grant this account gave the client, with all of its tokens and codes, through
 * oidc-provider's models (each model's `revokeByGrantId`, then the grant), as its own revocation
 * endpoint does. Refresh tokens stop working at once; the MCP server refuses the grant's access
 * tokens once it sees the Grant row gone. Returns how many grants were revoked.
 */
export async function revokeClient(prisma: PrismaClient, provider: Provider, accountId: string, clientId: string): Promise<number> {
  const grants = await accountGrants(prisma, accountId, clientId);
  for (const { id } of grants) {
    await Promise.all([provider.AccessToken, provider.RefreshToken, provider.AuthorizationCode].map((model) => model.revokeByGrantId(id)));
    await (await provider.Grant.find(id))?.destroy();
  }
  return grants.length;
}

/** Stamps "last used" when tokens are issued or refreshed under a grant (token endpoint success). */
export function recordGrantUse(provider: Provider, prisma: PrismaClient, onError: (error: unknown) => void, clock: () => Date = () => new Date()): void {
  provider.on('grant.success', (ctx) => {
    const { AccessToken, RefreshToken } = ctx.oidc.entities as { AccessToken?: { grantId?: string }; RefreshToken?: { grantId?: string } };
    const grantId = AccessToken?.grantId ?? RefreshToken?.grantId;
    if (!grantId) return;
    prisma.oidcPayload.updateMany({ where: { model: 'Grant', id: grantId }, data: { lastUsedAt: clock() } }).catch(onError);
  });
}
