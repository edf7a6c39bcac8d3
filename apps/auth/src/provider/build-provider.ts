import type { PrismaClient } from '@omnichat/db';
import type { AuthMetrics } from '@omnichat/metrics';
import { deriveKeys } from '@omnichat/secrets';
import type { FastifyBaseLogger } from 'fastify';
import Provider, { type AdapterFactory } from 'oidc-provider';

import { createPrismaAdapter } from '../adapter/prisma-adapter.js';
import type { Clock } from '../clock.js';
import type { AuthConfig } from '../config.js';
import { findAccountGrantId } from '../grants/account-grants.js';
import type { SigningKeys } from '@omnichat/signing-keys';
import type { ClientLimits } from '../limits/client-limits.js';
import { installGrantHooks } from '../seams/oidc-grant-handlers.js';
import { defaultScopeForIdTokenHint } from '../seams/oidc-missing-scope.js';
import type { CimdRegistrations } from './cimd-registrations.js';
import { providerConfiguration } from './configuration.js';
import { customiseDiscovery } from './discovery.js';
import { createFindAccount } from './find-account.js';
import { subscribeToProviderEvents } from './events.js';
import { introspectOwnJwts } from './jwt-introspection.js';
import { allowLoopbackPorts } from './loopback-redirects.js';
import type { DevFetch } from './provider-fetch.js';
import { refreshGrace } from './refresh-grace.js';

export type BuildProviderDeps = {
  prisma: PrismaClient;
  log: FastifyBaseLogger;
  metrics: AuthMetrics;
  limits: ClientLimits;
  cimd: CimdRegistrations;
  /** The Prisma adapter unless given; `'memory'` leaves oidc-provider's own in-memory adapter. */
  adapter?: AdapterFactory | 'memory' | undefined;
  devFetch?: DevFetch | undefined;
  clock?: Clock | undefined;
  /** The connection doctor: records each instance's steps (a key rotation builds a new one). */
  doctor?: { watch(provider: Provider): void } | undefined;
};

/**
 * Everything that configures a provider instance, in the order oidc-provider runs it: its
 * configuration, the grant hooks around the token endpoint (per-client limit, refresh grace), its
 * discovery, redirect, introspection and scope adjustments, then the event subscribers. A
 * signing-key change (rotation) builds a new instance through the returned function and swaps it
 * in (keys/live-provider.ts).
 */
export function providerBuilder(config: AuthConfig, deps: BuildProviderDeps): (jwks: SigningKeys) => Provider {
  const { prisma } = deps;
  return (jwks) => {
    const provider = new Provider(config.issuer, providerConfiguration(config, {
      adapter: deps.adapter === 'memory' ? undefined : (deps.adapter ?? createPrismaAdapter(prisma, deps.clock, { refreshReuseGraceSeconds: config.refreshReuseGraceSeconds })),
      jwks,
      findAccount: createFindAccount(prisma),
      // Signs with the current secret's key; the previous secrets' keys still verify (a rotation
      // signs nobody out while KEY_ENCRYPTION_SECRET_PREVIOUS lists the old secret).
      cookieKeys: deriveKeys(config.keyRing, 'cookie-signing').map((key) => key.toString('base64url')),
      devFetch: deps.devFetch,
      beforeRegistration: deps.limits.beforeRegistration,
      findAccountGrant: (accountId, clientId) => findAccountGrantId(prisma, accountId, clientId),
      allowCimdFetch: deps.limits.allowCimdFetch,
      allowCimdClient: deps.cimd.allowClient,
    }));
    // Koa reads the scheme from X-Forwarded-Proto, which http/edge.ts sets from the issuer on every
    // request (never from the client), with the Host (AS-24, AS-71).
    provider.proxy = true;
    installGrantHooks(provider, {
      beforeGrant: deps.limits.beforeGrant,
      wrapRefresh: refreshGrace(prisma, config.refreshReuseGraceSeconds, { log: deps.log, clock: deps.clock, onReuse: () => deps.metrics.refreshReuseDetected() }),
    });
    customiseDiscovery(provider);
    allowLoopbackPorts(provider);
    introspectOwnJwts(provider, jwks, deps.clock);
    defaultScopeForIdTokenHint(provider);
    subscribeToProviderEvents(provider, deps);
    deps.doctor?.watch(provider);
    return provider;
  };
}
