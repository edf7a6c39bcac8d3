import { describe, expect, it } from 'vitest';

import { pruneUnusedClients } from '@omnichat/db/oidc-store';
import { authSuite } from './helpers/suite.js';
import { authz, pkce, publicClient, tokensFor } from '@omnichat/testkit';

// Issue 14 §6: registrations that never received a grant go after UNUSED_CLIENT_TTL_HOURS; a client
// that holds or ever held one, or has a sign-in under way, stays.
const RESOURCE = 'http://127.0.0.1:3991/mcp';
const USER = { email: 'prune@example.com', password: 'a long pruning password' };
const HOUR_MS = 3600_000;
const suite = authSuite(RESOURCE, USER);

const later = (hours: number) => () => new Date(Date.now() + hours * HOUR_MS);
const clientRow = (id: string) => suite.db.prisma.oidcPayload.findUnique({ where: { model_id: { model: 'Client', id } } });

describe('pruning unused registrations', () => {
  it('deletes only old registrations that never received a grant', async () => {
    const unused = await publicClient(suite.base);
    const granted = await publicClient(suite.base);
    await tokensFor(suite.base, granted, RESOURCE, USER);
    const revoked = await publicClient(suite.base);
    const tokens = await tokensFor(suite.base, revoked, RESOURCE, USER);
    const revocation = await fetch(`${suite.base}/token/revocation`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: tokens.refresh_token as string, client_id: revoked }),
    });
    expect(revocation.status).toBe(200);
    expect(await suite.db.prisma.oidcPayload.count({ where: { model: 'Grant', payload: { path: ['clientId'], equals: revoked } } })).toBe(0);
    const signingIn = await publicClient(suite.base);
    expect((await fetch(authz(suite.base, signingIn, await pkce(), RESOURCE), { redirect: 'manual' })).status).toBe(303);

    expect(await pruneUnusedClients(suite.db.prisma, 24, later(23))).toEqual([]);
    const pruned = await pruneUnusedClients(suite.db.prisma, 24, later(25));
    expect(pruned).toEqual([{ id: unused, clientName: 't' }]);
    expect(await clientRow(unused)).toBeNull();
    for (const kept of [granted, revoked, signingIn]) expect(await clientRow(kept)).not.toBeNull();

    const page = await fetch(authz(suite.base, unused, await pkce(), RESOURCE), { redirect: 'manual' });
    expect(page.status).toBe(400);
    expect(await page.text()).toContain('invalid_client');
  });

  it('two replicas pruning at once delete each client once and neither fails', async () => {
    const unused = await publicClient(suite.base);
    const rounds = await Promise.all([pruneUnusedClients(suite.db.prisma, 24, later(25)), pruneUnusedClients(suite.db.prisma, 24, later(25))]);
    expect(rounds.flat().filter((client) => client.id === unused)).toHaveLength(1);
    expect(await clientRow(unused)).toBeNull();
  });
});
