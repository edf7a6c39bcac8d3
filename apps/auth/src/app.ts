import type { PrismaClient } from '@omnichat/db';
import { AccessLogController, createReadiness, type Readiness } from '@omnichat/lifecycle';
import { createRateLimiter, sweepRateLimitCounters, type CounterStore } from '@omnichat/limits';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import Provider, { errors, type AdapterFactory } from 'oidc-provider';

import { accountRoutes } from './account/routes.js';
import { passwordRoutes } from './account/password-routes.js';
import { sweepPending } from './mfa/pending.js';
import { installFactors } from './mfa/wire.js';
import { findAccountGrantId, recordGrantUse } from './account/grants.js';
import { createFindAccount } from './accounts/find-account.js';
import { createPrismaAdapter, sweepExpired } from './adapter/prisma-adapter.js';
import { markClientsUsed, pruneUnusedClients } from './adapter/unused-clients.js';
import type { Clock } from './clock.js';
import { audit } from './audit/audit-log.js';
import type { AuthConfig } from './config.js';
import { interactionRoutes } from './interactions/routes.js';
import { deriveKey } from './keys/secret-box.js';
import { startLiveProvider } from './keys/live-provider.js';
import { ensureSigningKey, type SigningKeys } from './keys/signing-keys.js';
import { installEdge } from './edge.js';
import { healthRoutes } from './health.js';
import { createLimitStore } from './limits/limit-store.js';
import { createLoginThrottle } from './limits/login-throttle.js';
import { registrationLimit } from './limits/registration-limit.js';
import { TooManyRequests } from './limits/too-many-requests.js';
import { installGrantHooks } from './provider/grant-hooks.js';
import { allowLoopbackPorts } from './provider/loopback-redirects.js';
import { introspectOwnJwts } from './provider/jwt-introspection.js';
import { refreshGrace } from './provider/refresh-grace.js';
import { customiseDiscovery } from './provider/discovery.js';
import { defaultScopeForIdTokenHint } from './provider/id-token-hint-scope.js';
import { providerConfiguration } from './provider/configuration.js';
import { mountProvider } from './provider/mount.js';
import type { DevFetch } from './provider/provider-fetch.js';
import { errorPage } from './views/error-page.js';
import { pageHeaders } from './views/layout.js';

export type AuthDeps = {
  prisma: PrismaClient;
  /** A pino logger or Fastify logger options; defaults to pino at config.logLevel. */
  logger?: FastifyServerOptions['loggerInstance'];
  /** Fetch for CIMD_DEV_ALLOW origins (tests trust their own CA through it). */
  devFetch?: DevFetch;
  clock?: Clock;
  /** The shared abuse-counter store; Postgres (or Redis with REDIS_URL) unless given (REL-8 tests). */
  limitStore?: CounterStore;
  /** Storage for oidc-provider's models; the Prisma adapter unless overridden (benchmarks compare adapters). */
  adapter?: AdapterFactory;
  /** Flipped by src/server.ts on SIGTERM so /readyz fails before the listener closes. */
  readiness?: Readiness;
  /** Where the default logger writes (stdout unless given): tests read the real, redacted output. */
  logStream?: { write(line: string): void };
};

const SWEEP_INTERVAL_MS = 60_000;
/** How often a replica looks for unused registrations (one replica at a time does the work). */
const UNUSED_CLIENT_PRUNE_INTERVAL_MS = 10 * 60_000;

/** Never logged: credentials and the artefacts that act as them. */
const REDACT = ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'];

/**
 * `request.ip` is the client behind trusted proxies only (AS-71): `false` or the list of proxy
 * addresses/CIDRs/names from limits/trust-proxy.ts, which Fastify hands to proxy-addr.
 */
const proxyOptions = (config: AuthConfig): { trustProxy: FastifyServerOptions['trustProxy'] } => ({ trustProxy: config.trustProxy as FastifyServerOptions['trustProxy'] });

/** Builds the authorization server; never listens (src/server.ts does). */
export async function buildAuthApp(config: AuthConfig, deps: AuthDeps): Promise<FastifyInstance> {
  const { prisma } = deps;
  const app = deps.logger
    ? Fastify({ loggerInstance: deps.logger, logController: new AccessLogController(), ...proxyOptions(config) })
    : Fastify({ logger: { level: config.logLevel, redact: REDACT, ...(deps.logStream ? { stream: deps.logStream } : {}) }, logController: new AccessLogController(), ...proxyOptions(config) });

  const limitStore = createLimitStore({ prisma, redisUrl: config.redisUrl, log: app.log, ...(deps.limitStore ? { primary: deps.limitStore } : {}) });
  app.addHook('onClose', async () => limitStore.close());
  const limiter = createRateLimiter(limitStore.store);

  if (config.usingDevKeySecret) {
    app.log.warn('KEY_ENCRYPTION_SECRET is unset: signing keys are encrypted with the public development secret. Set it before real use.');
  }

  await ensureSigningKey(prisma, config.keyEncryptionSecret);
  const beforeRegistration = registrationLimit(app, limiter, config.limits);

  // Everything that configures a provider instance lives here: a signing-key change (rotation)
  // builds a new instance through this function and swaps it in (keys/live-provider.ts).
  const buildProvider = (jwks: SigningKeys): Provider => {
    const provider = new Provider(config.issuer, providerConfiguration(config, {
      adapter: deps.adapter ?? createPrismaAdapter(prisma, deps.clock, { refreshReuseGraceSeconds: config.refreshReuseGraceSeconds }),
      jwks,
      findAccount: createFindAccount(prisma),
      cookieKeys: [deriveKey(config.keyEncryptionSecret, 'cookie-signing').toString('base64url')],
      devFetch: deps.devFetch,
      beforeRegistration,
    findAccountGrant: (accountId, clientId) => findAccountGrantId(prisma, accountId, clientId),
      // AS-52: CIMD fetches per document host, so one client_id host cannot make us fetch without end.
      allowCimdFetch: async (ctx, clientId) => {
        const verdict = await limiter.consume(config.limits.cimdPerHost, URL.parse(clientId)?.host ?? clientId);
        if (verdict.allowed) return true;
        ctx.set('retry-after', String(verdict.retryAfterSeconds));
        throw new TooManyRequests('too many client metadata fetches for this host; retry later', verdict.retryAfterSeconds);
      },
    }));
    // Koa reads the scheme from X-Forwarded-Proto, which src/edge.ts sets from the issuer on every
    // request (never from the client), with the Host (AS-24, AS-71).
    provider.proxy = true;
    installGrantHooks(provider, {
      beforeGrant: async (ctx) => {
        const verdict = await limiter.consume(config.limits.tokenPerClient, ctx.oidc.client?.clientId ?? '');
        if (verdict.allowed) return;
        ctx.set('retry-after', String(verdict.retryAfterSeconds));
        throw new TooManyRequests('too many token requests for this client; retry later', verdict.retryAfterSeconds);
      },
      wrapRefresh: refreshGrace(prisma, config.refreshReuseGraceSeconds, deps.clock),
    });
    customiseDiscovery(provider);
    allowLoopbackPorts(provider);
    introspectOwnJwts(provider, jwks, deps.clock);
    defaultScopeForIdTokenHint(provider);
  recordGrantUse(provider, prisma, (error) => app.log.warn({ err: error }, 'could not record grant use'), deps.clock);
    markClientsUsed(provider, prisma, (error) => app.log.warn({ err: error }, 'could not mark client used'), deps.clock);
    provider.on('server_error', (_ctx, error) => app.log.error({ err: error }, 'oidc-provider server_error'));
    const refused = (event: string) => (_ctx: unknown, error: Error & { error_description?: string }) => {
      app.log.info({ event, error: error.message, detail: (error as { error_detail?: string }).error_detail ?? error.error_description }, 'oauth request refused');
    };
    provider.on('authorization.error', refused('authorization.error'));
    provider.on('grant.error', refused('grant.error'));
    provider.on('registration_create.error', refused('registration_create.error'));
    provider.on('revocation.error', refused('revocation.error'));
    provider.on('introspection.error', refused('introspection.error'));
    provider.on('registration_create.success', (_ctx, client) => {
      audit(app.log, { event: 'client.registered', clientId: client.clientId, clientName: client.clientName, redirectUris: [...(client.redirectUris ?? [])] });
    });
    provider.on('grant.revoked', (ctx, grantId) => {
      audit(app.log, { event: 'grant.revoked', grantId, clientId: ctx.oidc?.client?.clientId, by: 'client' });
    });
    return provider;
  };
  const live = await startLiveProvider({ prisma, secret: config.keyEncryptionSecret, timings: config.keys, build: buildProvider, log: app.log });
  app.addHook('onClose', async () => live.stop());
  // Interaction routes never sign, so the first instance serves them correctly after a swap.
  const provider = live.current;

  app.setErrorHandler((error: Error & { statusCode?: number }, request, reply) => {
    const oauth = error instanceof errors.OIDCProviderError;
    const status = oauth ? error.statusCode : error.statusCode && error.statusCode < 500 ? error.statusCode : 500;
    const code = oauth ? error.error : status < 500 ? 'invalid_request' : 'server_error';
    const description = oauth ? error.error_description : undefined;
    if (status >= 500) request.log.error({ err: error }, 'unexpected error');
    else request.log.info({ error: code, detail: description ?? error.message }, 'request refused');
    const body = errorPage({ branding: config.branding, error: code, description });
    if (reply.sent || reply.raw.headersSent) return;
    if (!reply.raw.writableEnded && (reply as { hijacked?: boolean }).hijacked) {
      reply.raw.writeHead(status, pageHeaders(config.branding)).end(body);
      return;
    }
    void reply.code(status).headers(pageHeaders(config.branding)).send(body);
  });

  installEdge(app, config.issuer);
  healthRoutes(app, { prisma, keysLoaded: () => live.kids.length > 0, readiness: deps.readiness ?? createReadiness() });
  const loginThrottle = createLoginThrottle(limiter, config.limits);
  const interactionCsrfKey = deriveKey(config.keyEncryptionSecret, 'csrf');
  const accountCsrfKey = deriveKey(config.keyEncryptionSecret, 'account-csrf');
  const factors = await installFactors(app, config, { provider, prisma, loginThrottle, interactionCsrfKey, accountCsrfKey });
  await passwordRoutes(app, config, { provider, prisma, loginThrottle, csrfKey: accountCsrfKey, clock: deps.clock });
  await interactionRoutes(app, config, { provider, prisma, loginThrottle, csrfKey: interactionCsrfKey, factors: factors.interaction });
  await accountRoutes(app, config, { provider, prisma, loginThrottle, csrfKey: accountCsrfKey, factors: factors.account });
  await mountProvider(app, live.handle);

  const sweep = setInterval(() => {
    sweepExpired(prisma, deps.clock).catch((error: unknown) => app.log.warn({ err: error }, 'expired-row sweep failed'));
    sweepRateLimitCounters(prisma).catch((error: unknown) => app.log.warn({ err: error }, 'rate-limit sweep failed'));
    sweepPending(prisma).catch((error: unknown) => app.log.warn({ err: error }, 'pending sign-in sweep failed'));
  }, SWEEP_INTERVAL_MS);
  sweep.unref();
  app.addHook('onClose', async () => clearInterval(sweep));
  if (config.unusedClientTtlHours > 0) {
    const prune = setInterval(() => {
      pruneUnusedClients(prisma, config.unusedClientTtlHours, deps.clock)
        .then((pruned) => pruned.forEach((client) => audit(app.log, { event: 'client.deleted', clientId: client.id, by: 'schedule' })))
        .catch((error: unknown) => app.log.warn({ err: error }, 'unused-client prune failed'));
    }, UNUSED_CLIENT_PRUNE_INTERVAL_MS);
    prune.unref();
    app.addHook('onClose', async () => clearInterval(prune));
  }

  return app;
}
