import type { PrismaClient } from '@omnichat/db';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import Provider, { errors } from 'oidc-provider';

import { accountRoutes } from './account/routes.js';
import { findAccountGrantId, recordGrantUse } from './account/grants.js';
import { createFindAccount } from './accounts/find-account.js';
import { createPrismaAdapter, sweepExpired, type Clock } from './adapter/prisma-adapter.js';
import type { AuthConfig } from './config.js';
import { interactionRoutes } from './interactions/routes.js';
import { deriveKey } from './keys/secret-box.js';
import { ensureSigningKey, loadSigningKeys } from './keys/signing-keys.js';
import { healthRoutes } from './health.js';
import { customiseDiscovery } from './provider/discovery.js';
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
};

const SWEEP_INTERVAL_MS = 60_000;

/** Never logged: credentials and the artefacts that act as them. */
const REDACT = ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'];

/** Builds the authorization server; never listens (src/server.ts does). */
export async function buildAuthApp(config: AuthConfig, deps: AuthDeps): Promise<FastifyInstance> {
  const { prisma } = deps;
  const app = deps.logger
    ? Fastify({ loggerInstance: deps.logger })
    : Fastify({ logger: { level: config.logLevel, redact: REDACT } });

  if (config.usingDevKeySecret) {
    app.log.warn('KEY_ENCRYPTION_SECRET is unset: signing keys are encrypted with the public development secret. Set it before real use.');
  }

  await ensureSigningKey(prisma, config.keyEncryptionSecret);
  const jwks = await loadSigningKeys(prisma, config.keyEncryptionSecret);

  const provider = new Provider(config.issuer, providerConfiguration(config, {
    adapter: createPrismaAdapter(prisma, deps.clock),
    jwks,
    findAccount: createFindAccount(prisma),
    cookieKeys: [deriveKey(config.keyEncryptionSecret, 'cookie-signing').toString('base64url')],
    devFetch: deps.devFetch,
    findAccountGrant: (accountId, clientId) => findAccountGrantId(prisma, accountId, clientId),
  }));
  customiseDiscovery(provider);
  recordGrantUse(provider, prisma, (error) => app.log.warn({ err: error }, 'could not record grant use'), deps.clock);
  provider.on('server_error', (_ctx, error) => app.log.error({ err: error }, 'oidc-provider server_error'));
  const refused = (event: string) => (_ctx: unknown, error: Error & { error_description?: string }) => {
    app.log.info({ event, error: error.message, detail: (error as { error_detail?: string }).error_detail ?? error.error_description }, 'oauth request refused');
  };
  provider.on('authorization.error', refused('authorization.error'));
  provider.on('grant.error', refused('grant.error'));
  provider.on('registration_create.error', refused('registration_create.error'));
  provider.on('revocation.error', refused('revocation.error'));
  provider.on('introspection.error', refused('introspection.error'));

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

  await healthRoutes(app, { prisma, keysLoaded: () => jwks.keys.length > 0 });
  await interactionRoutes(app, config, { provider, prisma, csrfKey: deriveKey(config.keyEncryptionSecret, 'csrf') });
  await accountRoutes(app, config, { provider, prisma, csrfKey: deriveKey(config.keyEncryptionSecret, 'account-csrf') });
  await mountProvider(app, provider);

  const sweep = setInterval(() => {
    sweepExpired(prisma, deps.clock).catch((error: unknown) => app.log.warn({ err: error }, 'expired-row sweep failed'));
  }, SWEEP_INTERVAL_MS);
  sweep.unref();
  app.addHook('onClose', async () => clearInterval(sweep));

  return app;
}
