import type { PrismaClient } from '@omnichat/db';
import { accountGrants } from '@omnichat/db/oidc-store';
import type Provider from 'oidc-provider';

import { describeScopes, grantScopes } from './scopes.js';
import type { ConnectedApp } from '../views/account.js';

/**
 * loadExistingGrant's fallback: this account's newest grant for the client, so a scope granted
 * once is not asked again in another browser or after the session ends; a new scope still is.
 */
export async function findAccountGrantId(prisma: PrismaClient, accountId: string, clientId: string): Promise<string | undefined> {
  return (await accountGrants(prisma, { accountId, clientId }))[0]?.id;
}

/** The account page's list: one entry per client, its scopes merged across its grants. */
export async function connectedApps(prisma: PrismaClient, provider: Provider, accountId: string): Promise<ConnectedApp[]> {
  const byClient = new Map<string, { scopes: Set<string>; grantedAt: Date; lastUsedAt: Date | undefined }>();
  for (const row of await accountGrants(prisma, { accountId })) {
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
