import type { ClientSummary } from '@omnichat/db/oidc-store';

/**
 * Which registrations repeat an earlier one: same client_name and the same redirect URIs (in any
 * order). Claude registers a new client on every connect, so one user's connector leaves a trail
 * of these; the oldest of each group is the original, the others name it. Returns client_id →
 * the original's client_id, for duplicates only.
 */
export function duplicatesOf(clients: readonly ClientSummary[]): Map<string, string> {
  const originals = new Map<string, ClientSummary>();
  const duplicates = new Map<string, string>();
  const oldestFirst = [...clients].sort((a, b) => a.registeredAt.getTime() - b.registeredAt.getTime());
  for (const client of oldestFirst) {
    const key = JSON.stringify([client.clientName, [...client.redirectUris].sort()]);
    const original = originals.get(key);
    if (original) duplicates.set(client.clientId, original.clientId);
    else originals.set(key, client);
  }
  return duplicates;
}
