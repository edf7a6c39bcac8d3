import { sqlPool, type PrismaClient } from '@omnichat/db';
import { createReadiness, type Readiness } from '@omnichat/lifecycle';
import { createRateLimiter, type CounterStore } from '@omnichat/limits';
import { createAuthMetrics, instrumentHttp, registerPoolGauges, type AuthMetrics } from '@omnichat/metrics';
import Fastify, { type FastifyInstance } from 'fastify';
import type { AdapterFactory } from 'oidc-provider';

import { accountRoutes } from './account/routes.js';
import { passwordRoutes } from './account/password-routes.js';
import type { Clock } from './clock.js';
import type { AuthConfig } from './config.js';
import { installEdge } from './http/edge.js';
import { installDoctor } from './doctor/install.js';
import { healthRoutes } from './health.js';
import { formCsrf } from './forms/csrf.js';
import { installErrorPage } from './http/error-handler.js';
import { serverOptions, type LogDeps } from './http/server-options.js';
import { interactionRoutes } from './interactions/routes.js';
import { startLiveProvider } from './keys/live-provider.js';
import { ensureSigningKey } from '@omnichat/signing-keys';
import { clientLimits } from './limits/client-limits.js';
import { countRefusals } from './limits/counted-limiter.js';
import { createLimitStore } from './limits/limit-store.js';
import { createLoginThrottle } from './limits/login-throttle.js';
import { installFactors } from './mfa/wire.js';
import { providerBuilder } from './provider/build-provider.js';
import { cimdRegistrations } from './provider/cimd-registrations.js';
import { mountProvider } from './provider/mount.js';
import type { DevFetch } from './provider/provider-fetch.js';
import { authRouteLabel } from './provider/route-label.js';
import { ssoRoutes } from './sso/routes.js';
import { scheduleSweeps } from './sweeps.js';

export type AuthDeps = LogDeps & {
  prisma: PrismaClient;
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
  /**
   * The app's Prometheus series; src/server.ts serves their registry on the metrics listener. Made
   * here when not given. Per-request HTTP timing is installed only when config.metrics is enabled.
   */
  metrics?: AuthMetrics;
};

/**
 * Builds the authorization server; never listens (src/server.ts does). What it mounts, in order:
 * the HTTP edge and error page, the shared limits, the signing keys and the live oidc-provider
 * instance, health, our pages (second factors, passwords, sign-in and consent, the account page,
 * SSO), oidc-provider itself as the catch-all, and the sweeps.
 */
export async function buildAuthApp(config: AuthConfig, deps: AuthDeps): Promise<FastifyInstance> {
  const { prisma, clock } = deps;
  const app = Fastify(serverOptions(config, deps));
  const metrics = deps.metrics ?? createAuthMetrics();
  if (config.metrics.enabled) {
    instrumentHttp(app, metrics.registry, { routeOf: authRouteLabel });
    registerPoolGauges(metrics.registry, sqlPool(prisma));
  }
  installErrorPage(app, config.branding);
  installEdge(app, config.issuer);

  const limitStore = createLimitStore({ prisma, redisUrl: config.redisUrl, log: app.log, ...(deps.limitStore ? { primary: deps.limitStore } : {}) });
  app.addHook('onClose', async () => limitStore.close());
  const limiter = countRefusals(createRateLimiter(limitStore.store), metrics.rateLimited);
  const cimd = cimdRegistrations(() => metrics.clientRegistered('cimd'));
  const limits = clientLimits(app, limiter, config.limits, cimd.fetchAllowed);
  const doctor = installDoctor(app, config, prisma, clock);

  if (config.usingDevKeySecret) {
    app.log.warn('KEY_ENCRYPTION_SECRET is unset: signing keys are encrypted with the public development secret. Set it before real use.');
  }
  await ensureSigningKey(prisma, config.keyEncryptionSecret);
  const build = providerBuilder(config, { prisma, log: app.log, metrics, limits, cimd, adapter: deps.adapter, devFetch: deps.devFetch, clock, doctor });
  const live = await startLiveProvider({ prisma, secret: config.keyRing, timings: config.keys, build, log: app.log });
  app.addHook('onClose', async () => live.stop());
  // Interaction routes never sign, so the first instance serves them correctly after a swap.
  const provider = live.current;

  healthRoutes(app, { prisma, keysLoaded: () => live.kids.length > 0, readiness: deps.readiness ?? createReadiness() });
  const loginThrottle = createLoginThrottle(limiter, config.limits);
  const csrf = formCsrf(config.keyRing);
  const factors = await installFactors(app, config, { provider, prisma, loginThrottle, metrics, csrf });
  await passwordRoutes(app, config, { provider, prisma, loginThrottle, csrf, clock });
  await interactionRoutes(app, config, { provider, prisma, loginThrottle, metrics, csrf, factors: factors.interaction });
  await accountRoutes(app, config, { provider, prisma, loginThrottle, metrics, csrf, factors: factors.account });
  await ssoRoutes(app, config, { provider, prisma, limiter, clock, csrf });
  await mountProvider(app, live.handle);

  scheduleSweeps(app, { prisma, clock, unusedClientTtlHours: config.unusedClientTtlHours });
  return app;
}
