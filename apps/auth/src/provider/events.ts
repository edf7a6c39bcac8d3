import { audit } from '@omnichat/audit';
import type { PrismaClient } from '@omnichat/db';
import { auditGrantRevoked, markGrantUsed } from '@omnichat/db/oidc-store';
import type { AuthMetrics } from '@omnichat/metrics';
import type { FastifyBaseLogger } from 'fastify';
import type Provider from 'oidc-provider';

import { markClientsUsed } from '../adapter/unused-clients.js';
import { systemClock, type Clock } from '../clock.js';
import { refusalDetail } from '../seams/oidc-error-detail.js';
import { issuedUnderGrant } from '../seams/oidc-token-entities.js';

export type ProviderEventDeps = {
  prisma: PrismaClient;
  log: FastifyBaseLogger;
  metrics: AuthMetrics;
  clock?: Clock | undefined;
};

/**
 * What the app does on oidc-provider's events, one subscriber a line: logs, metrics, audit and the
 * "last used" stamps. Every provider instance gets them (a signing-key rotation builds a new one).
 * A module that listens to the provider adds its line here.
 */
export function subscribeToProviderEvents(provider: Provider, deps: ProviderEventDeps): void {
  logServerErrors(provider, deps);
  logRefusals(provider, deps);
  countIssuedTokens(provider, deps);
  recordGrantUse(provider, deps);
  markClientsUsed(provider, deps.prisma, (error) => deps.log.warn({ err: error }, 'could not mark client used'), deps.clock);
  auditRegistrations(provider, deps);
  auditProviderRevocations(provider, deps);
}

/** An exception inside oidc-provider: the client got a server_error. */
function logServerErrors(provider: Provider, { log }: ProviderEventDeps): void {
  provider.on('server_error', (_ctx, error) => log.error({ err: error }, 'oidc-provider server_error'));
}

/** The OAuth requests oidc-provider refused, with the reason it does not send to the client. */
function logRefusals(provider: Provider, { log }: ProviderEventDeps): void {
  const refused = (event: string) => (_ctx: unknown, error: Error & { error_description?: string }) => {
    log.info({ event, error: error.message, detail: refusalDetail(error) }, 'oauth request refused');
  };
  provider.on('authorization.error', refused('authorization.error'));
  provider.on('grant.error', refused('grant.error'));
  provider.on('registration_create.error', refused('registration_create.error'));
  provider.on('revocation.error', refused('revocation.error'));
  provider.on('introspection.error', refused('introspection.error'));
}

function countIssuedTokens(provider: Provider, { metrics }: ProviderEventDeps): void {
  provider.on('grant.success', (ctx) => metrics.tokenIssued(String(ctx.oidc.params?.grant_type ?? '')));
}

/** Stamps "last used" on the grant when tokens are issued or refreshed under it (the account page shows it). */
function recordGrantUse(provider: Provider, { prisma, log, clock = systemClock }: ProviderEventDeps): void {
  provider.on('grant.success', (ctx) => {
    const grantId = issuedUnderGrant(ctx);
    if (!grantId) return;
    markGrantUsed(prisma, grantId, clock()).catch((error: unknown) => log.warn({ err: error }, 'could not record grant use'));
  });
}

/** A client registered through DCR (CIMD clients are counted where their document is accepted). */
function auditRegistrations(provider: Provider, { log, metrics }: ProviderEventDeps): void {
  provider.on('registration_create.success', (_ctx, client) => {
    metrics.clientRegistered('dcr');
    audit(log, { event: 'client.registered', clientId: client.clientId, clientName: client.clientName, redirectUris: [...(client.redirectUris ?? [])] });
  });
}

/** oidc-provider's own revocations (its revocation endpoint, a replayed code or refresh token). */
function auditProviderRevocations(provider: Provider, { log, metrics }: ProviderEventDeps): void {
  provider.on('grant.revoked', (ctx, grantId) => {
    // A refresh_token request revokes a grant for one reason only here: a rotated refresh token
    // came back past the grace window (within it, provider/refresh-grace.ts counts it).
    if (ctx.oidc?.route === 'token' && ctx.oidc.params?.grant_type === 'refresh_token') metrics.refreshReuseDetected();
    auditGrantRevoked({ log, by: 'client' }, grantId, { clientId: ctx.oidc?.client?.clientId });
  });
}
