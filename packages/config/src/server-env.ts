import type { ShutdownSettings } from '@omnichat/lifecycle';
import { metricsHostSchema } from '@omnichat/metrics';
import { z } from 'zod';

import { checkKeySecret, KEY_SECRET_ENV, keySecret, type KeySecret } from './key-secret.js';
import { commaList, LOG_LEVEL, NODE_ENV } from './parse-env.js';
import { checkProductionUrls, ISSUER, RESOURCE_URL } from './public-urls.js';

/** What both servers (the auth app and the MCP app) read alike; each app's schema spreads it into its own. */
export const SERVER_ENV = {
  NODE_ENV,
  ISSUER,
  RESOURCE_URL,
  ...KEY_SECRET_ENV,
  // Prometheus metrics on their own listener (never the public port); each app has its own port.
  METRICS_HOST: metricsHostSchema,
  CORS_ORIGINS: commaList.default(['https://chatgpt.com', 'https://platform.openai.com']),
  // Graceful stop (SIGTERM): /readyz fails for the drain period, then in-flight requests finish
  // within the timeout. Keep the orchestrator's grace period (compose stop_grace_period) above both.
  SHUTDOWN_DRAIN_SECONDS: z.coerce.number().min(0).max(300).default(5),
  SHUTDOWN_TIMEOUT_SECONDS: z.coerce.number().positive().max(600).default(30),
  LOG_LEVEL,
};

type ServerEnv = z.output<z.ZodObject<typeof SERVER_ENV>>;

/** The cross-variable rules of SERVER_ENV; each app's superRefine calls it first. */
export function checkServerEnv(env: ServerEnv, ctx: z.RefinementCtx): void {
  checkKeySecret(env, ctx);
  checkProductionUrls(env, ctx);
}

export type ServerSettings = KeySecret & {
  production: boolean;
  issuer: string;
  /** The canonical resource (RFC 8707): every access token's `aud`. */
  resourceUrl: string;
  corsOrigins: string[];
  logLevel: string;
  shutdown: ShutdownSettings;
};

/** SERVER_ENV's values as both apps' configurations carry them, derived once. */
export function serverSettings(env: ServerEnv): ServerSettings {
  return {
    production: env.NODE_ENV === 'production',
    issuer: env.ISSUER,
    resourceUrl: env.RESOURCE_URL,
    corsOrigins: env.CORS_ORIGINS,
    logLevel: env.LOG_LEVEL,
    shutdown: { drainDelayMs: env.SHUTDOWN_DRAIN_SECONDS * 1000, timeoutMs: env.SHUTDOWN_TIMEOUT_SECONDS * 1000 },
    ...keySecret(env),
  };
}
