import { audit } from '@omnichat/audit';
import { sqlPool, type PrismaClient } from '@omnichat/db';
import { auditGrantRevoked, pruneUnusedClients, sweepExpired } from '@omnichat/db/oidc-store';
import { AccessLogController, createReadiness, type Readiness } from '@omnichat/lifecycle';
import { createRateLimiter, sweepRateLimitCounters, type CounterStore } from '@omnichat/limits';
import { createAuthMetrics, instrumentHttp, registerPoolGauges, type AuthMetrics } from '@omnichat/metrics';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import Provider, { errors, type AdapterFactory } from 'oidc-provider';

import { accountRoutes } from './account/routes.js';
import { passwordRoutes } from './account/password-routes.js';
import { sweepPending } from './mfa/pending.js';
import { installFactors } from './mfa/wire.js';
import { findAccountGrantId, recordGrantUse } from './account/grants.js';
import { createFindAccount } from './accounts/find-account.js';
import { createPrismaAdapter } from './adapter/prisma-adapter.js';
import { markClientsUsed } from './adapter/unused-clients.js';
import type { Clock } from './clock.js';
import type { AuthConfig } from './config.js';
import { interactionRoutes } from './interactions/routes.js';
import { deriveKeys } from '@omnichat/secrets';
import { startLiveProvider } from './keys/live-provider.js';
import { ensureSigningKey, type SigningKeys } from '@omnichat/signing-keys';
import { installEdge } from './edge.js';
import { serializeRequest } from './sso/log-safe-url.js';
import { ssoRoutes } from './sso/routes.js';
import { healthRoutes } from './health.js';
import { createLimitStore } from './limits/limit-store.js';
import { createLoginThrottle } from './limits/login-throttle.js';
import { registrationLimit } from './limits/registration-limit.js';
import { TooManyRequests } from './limits/too-many-requests.js';
import { countRefusals } from './limits/counted-limiter.js';
import { cimdRegistrations } from './provider/cimd-registrations.js';
import { authRouteLabel } from './provider/route-label.js';
import { allowLoopbackPorts } from './provider/loopback-redirects.js';
import { introspectOwnJwts } from './provider/jwt-introspection.js';
import { refreshGrace } from './provider/refresh-grace.js';
import { customiseDiscovery } from './provider/discovery.js';
import { providerConfiguration } from './provider/configuration.js';
import { mountProvider } from './provider/mount.js';
import type { DevFetch } from './provider/provider-fetch.js';
import { errorPage } from './views/error-page.js';
import { pageHeaders } from './views/layout.js';
import { refusalDetail } from './seams/oidc-error-detail.js';
import { installGrantHooks } from './seams/oidc-grant-handlers.js';
import { defaultScopeForIdTokenHint } from './seams/oidc-missing-scope.js';

export type AuthDeps = {
  prisma: PrismaClient;
  /** A pino logger or Fastify logger options; defaults to pino at config.logLevel. */
  logger?: FastifyServerOptions['loggerInstance'];
  /** Fetch for CIMD_DEV_ALLOW origins (tests trust their own CA through it). */
  devFetch?: DevFetch;
  clock?: Clock;
  /** The shared abuse-counter store; Postgres (or Redis with REDIS_URL) unless given (REL-8 tests). */
  limitStore?: CounterStore;
  /**
   * Storage for oidc-provider's models; the Prisma adapter unless overridden. `'memory'` configures
   * none, so oidc-provider uses its own development in-memory adapter (the bench's baseline).
   */
  adapter?: AdapterFactory | 'memory';
  /** Flipped by src/server.ts on SIGTERM so /readyz fails before the listener closes. */
  readiness?: Readiness;
  /** Where the default logger writes (stdout unless given): tests read the real, redacted output. */
  logStream?: { write(line: string): void };
  /**
   * The app's Prometheus series; src/server.ts serves their registry on the metrics listener. Made
   * here when not given. Per-request HTTP timing is installed only when config.metrics is enabled.
   */
  metrics?: AuthMetrics;
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
    : Fastify({ logger: { level: config.logLevel, redact: REDACT, serializers: { req: serializeRequest }, ...(deps.logStream ? { stream: deps.logStream } : {}) }, logController: new AccessLogController(), ...proxyOptions(config) });

  const metrics = deps.metrics ?? createAuthMetrics();
  if (config.metrics.enabled) {
    instrumentHttp(app, metrics.registry, { routeOf: authRouteLabel });
    registerPoolGauges(metrics.registry, sqlPool(prisma));
  }
  const cimd = cimdRegistrations(() => metrics.clientRegistered('cimd'));

  const limitStore = createLimitStore({ prisma, redisUrl: config.redisUrl, log: app.log, ...(deps.limitStore ? { primary: deps.limitStore } : {}) });
  app.addHook('onClose', async () => limitStore.close());
  const limiter = countRefusals(createRateLimiter(limitStore.store), metrics.rateLimited);

  if (config.usingDevKeySecret) {
    app.log.warn('KEY_ENCRYPTION_SECRET is unset: signing keys are encrypted with the public development secret. Set it before real use.');
  }

  await ensureSigningKey(prisma, config.keyEncryptionSecret);
  const beforeRegistration = registrationLimit(app, limiter, config.limits);

  // Everything that configures a provider instance lives here: a signing-key change (rotation)
  // builds a new instance through this function and swaps it in (keys/live-provider.ts).
  const buildProvider = (jwks: SigningKeys): Provider => {
    const provider = new Provider(config.issuer, providerConfiguration(config, {
      adapter: deps.adapter === 'memory' ? undefined : (deps.adapter ?? createPrismaAdapter(prisma, deps.clock, { refreshReuseGraceSeconds: config.refreshReuseGraceSeconds })),
      jwks,
      findAccount: createFindAccount(prisma),
      // Signs with the current secret's key; the previous secrets' keys still verify (a rotation
      // signs nobody out while KEY_ENCRYPTION_SECRET_PREVIOUS lists the old secret).
      cookieKeys: deriveKeys(config.keyRing, 'cookie-signing').map((key) => key.toString('base64url')),
      devFetch: deps.devFetch,
      beforeRegistration,
    findAccountGrant: (accountId, clientId) => findAccountGrantId(prisma, accountId, clientId),
      // AS-52: CIMD fetches per document host, so one client_id host cannot make us fetch without end.
      allowCimdFetch: async (ctx, clientId) => {
        const verdict = await limiter.consume(config.limits.cimdPerHost, URL.parse(clientId)?.host ?? clientId);
        if (verdict.allowed) {
          cimd.fetchAllowed(ctx);
          return true;
        }
        ctx.set('retry-after', String(verdict.retryAfterSeconds));
        throw new TooManyRequests('too many client metadata fetches for this host; retry later', verdict.retryAfterSeconds);
      },
      allowCimdClient: cimd.allowClient,
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
      wrapRefresh: refreshGrace(prisma, config.refreshReuseGraceSeconds, { log: app.log, clock: deps.clock, onReuse: () => metrics.refreshReuseDetected() }),
    });
    customiseDiscovery(provider);
    allowLoopbackPorts(provider);
    introspectOwnJwts(provider, jwks, deps.clock);
    defaultScopeForIdTokenHint(provider);
  recordGrantUse(provider, prisma, (error) => app.log.warn({ err: error }, 'could not record grant use'), deps.clock);
    markClientsUsed(provider, prisma, (error) => app.log.warn({ err: error }, 'could not mark client used'), deps.clock);
    provider.on('server_error', (_ctx, error) => app.log.error({ err: error }, 'oidc-provider server_error'));
    const refused = (event: string) => (_ctx: unknown, error: Error & { error_description?: string }) => {
      app.log.info({ event, error: error.message, detail: refusalDetail(error) }, 'oauth request refused');
    };
    provider.on('authorization.error', refused('authorization.error'));
    provider.on('grant.error', refused('grant.error'));
    provider.on('registration_create.error', refused('registration_create.error'));
    provider.on('revocation.error', refused('revocation.error'));
    provider.on('introspection.error', refused('introspection.error'));
    provider.on('grant.success', (ctx) => metrics.tokenIssued(String(ctx.oidc.params?.grant_type ?? '')));
    provider.on('registration_create.success', (_ctx, client) => {
      metrics.clientRegistered('dcr');
      audit(app.log, { event: 'client.registered', clientId: client.clientId, clientName: client.clientName, redirectUris: [...(client.redirectUris ?? [])] });
    });
    // oidc-provider's own revocations (its revocation endpoint, a replayed code or refresh token).
    provider.on('grant.revoked', (ctx, grantId) => {
      // A refresh_token request revokes a grant for one reason only here: a rotated refresh token
      // came back past the grace window (within it, provider/refresh-grace.ts counts it).
      if (ctx.oidc?.route === 'token' && ctx.oidc.params?.grant_type === 'refresh_token') metrics.refreshReuseDetected();
      auditGrantRevoked({ log: app.log, by: 'client' }, grantId, { clientId: ctx.oidc?.client?.clientId });
    });
    return provider;
  };
  const live = await startLiveProvider({ prisma, secret: config.keyRing, timings: config.keys, build: buildProvider, log: app.log });
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
    if (reply.raw.headersSent || reply.raw.writableEnded) return;
    // `sent` is also true once a route hijacked the reply (the provider mount): Fastify will send
    // nothing then, so the page goes out on the raw response.
    if (reply.sent) {
      reply.raw.writeHead(status, pageHeaders(config.branding)).end(body);
      return;
    }
    void reply.code(status).headers(pageHeaders(config.branding)).send(body);
  });

  installEdge(app, config.issuer);
  healthRoutes(app, { prisma, keysLoaded: () => live.kids.length > 0, readiness: deps.readiness ?? createReadiness() });
  const loginThrottle = createLoginThrottle(limiter, config.limits);
  const interactionCsrfKeys = deriveKeys(config.keyRing, 'csrf');
  const accountCsrfKeys = deriveKeys(config.keyRing, 'account-csrf');
  const factors = await installFactors(app, config, { provider, prisma, loginThrottle, interactionCsrfKeys, accountCsrfKeys });
  await passwordRoutes(app, config, { provider, prisma, loginThrottle, csrfKeys: accountCsrfKeys, clock: deps.clock });
  await interactionRoutes(app, config, { provider, prisma, loginThrottle, metrics, csrfKeys: interactionCsrfKeys, factors: factors.interaction });
  await accountRoutes(app, config, { provider, prisma, loginThrottle, metrics, csrfKeys: accountCsrfKeys, factors: factors.account });
  await ssoRoutes(app, config, { provider, prisma, limiter, clock: deps.clock, csrfKeys: interactionCsrfKeys, accountCsrfKeys });
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
