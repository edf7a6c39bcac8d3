import type { KeyTimings } from '@omnichat/signing-keys';
import { z } from 'zod';

import { checkKeySecret, KEY_SECRET_ENV, keySecret, type KeySecret } from './key-secret.js';
import { keyTimings, KEY_TIMINGS_ENV } from './key-timings.js';
import { NODE_ENV, parseEnv } from './parse-env.js';
import { checkProductionUrls, ISSUER } from './public-urls.js';
import { SSO_TIMEOUT_ENV } from './sso-timeout.js';

/**
 * What the admin CLI reads of the auth app's environment, and nothing more: it seals and opens
 * what the apps open and seal (the secret), keeps the auth app's key schedule (timings), prints
 * links on its public origin (ISSUER) and bounds IdP discovery as sign-in does.
 */
const AdminEnvSchema = z
  .object({ NODE_ENV, ISSUER, ...KEY_SECRET_ENV, ...KEY_TIMINGS_ENV, ...SSO_TIMEOUT_ENV })
  .superRefine((env, ctx) => {
    checkKeySecret(env, ctx);
    checkProductionUrls(env, ctx);
  });

/** Every environment variable the admin CLI's configuration reads (the compose check derives from it). */
export const ADMIN_ENV_VARS: readonly string[] = Object.keys(AdminEnvSchema.shape);

export type AdminConfig = KeySecret & {
  production: boolean;
  issuer: string;
  /** Signing-key timings, the auth app's own (KEY_* and ACCESS_TOKEN_TTL_SECONDS). */
  keys: KeyTimings;
  ssoTimeoutSeconds: number;
};

/** Parses the admin CLI's part of the environment; throws one line per problem. */
export function loadAdminConfig(env: Record<string, string | undefined>): AdminConfig {
  const e = parseEnv(AdminEnvSchema, env, 'admin');
  return {
    production: e.NODE_ENV === 'production',
    issuer: e.ISSUER,
    ...keySecret(e),
    keys: keyTimings(e),
    ssoTimeoutSeconds: e.SSO_TIMEOUT_SECONDS,
  };
}
