import { checkServerEnv, commaList, derived, KEY_TIMINGS_ENV, keyTimings, parseEnv, SERVER_ENV, serverSettings, SSO_TIMEOUT_ENV, type ServerSettings } from '@omnichat/config';
import { parseRate } from '@omnichat/limits';
import { DEFAULT_AUTH_METRICS_PORT, metricsPortProblem, metricsPortSchema, metricsSettings, type MetricsSettings } from '@omnichat/metrics';
import type { KeyTimings } from '@omnichat/signing-keys';
import { z } from 'zod';

import { authLimits, DEFAULT_LIMITS, type AuthLimits } from './limits/auth-limits.js';
import { parseTrustProxy, type TrustProxy } from './http/trust-proxy.js';
import { MFA_POLICIES, type MfaPolicy } from './mfa/policy.js';
import { parseRedirectPatterns, type RedirectPattern } from './policy/redirect-uri.js';
import { DEFAULT_BRAND_COLOR, logoUrlProblem, normaliseHexColour, type Branding } from './views/branding.js';

/**
 * ChatGPT's two callback forms, Claude's two, and loopback for CLIs and desktop apps on any port and
 * path (mcp-remote, Claude Code, MCP Inspector; docs/clients.md §5, RFC 8252 §7.3).
 */
export const DEFAULT_ALLOWED_REDIRECT_URIS = [
  'https://chatgpt.com/connector_platform_oauth_redirect',
  'https://chatgpt.com/connector/oauth/*',
  'https://claude.ai/api/mcp/auth_callback',
  'https://claude.com/api/mcp/auth_callback',
  'http://localhost:*',
  'http://127.0.0.1:*',
  'http://[::1]:*',
];

/** A LIMIT_* rate (`max/windowSeconds`), parsed once. */
const rate = (fallback: string) => z.string().default(fallback).transform(derived(parseRate));

const EnvObject = z.object({
  ...SERVER_ENV,
  ...KEY_TIMINGS_ENV,
  ...SSO_TIMEOUT_ENV,
  AUTH_HOST: z.string().min(1).default('localhost'),
  AUTH_PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  AUTH_METRICS_PORT: metricsPortSchema(DEFAULT_AUTH_METRICS_PORT),
  ALLOWED_REDIRECT_URIS: commaList.default(DEFAULT_ALLOWED_REDIRECT_URIS).transform(derived(parseRedirectPatterns)),
  REFRESH_TOKEN_TTL_SECONDS: z.coerce.number().int().min(3600).default(30 * 24 * 3600),
  CIMD_DEV_ALLOW: commaList.default([]),
  BRAND_NAME: z.string().min(1).max(60).default('OmniChat'),
  // Optional: an https URL (its origin joins the pages' CSP img-src) or a data:image URL.
  BRAND_LOGO_URL: z.string().optional().superRefine((value, ctx) => {
    const problem = value ? logoUrlProblem(value) : undefined;
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  }),
  BRAND_COLOR: z.string().default(DEFAULT_BRAND_COLOR).transform((value, ctx) => {
    const colour = normaliseHexColour(value);
    if (!colour) ctx.addIssue({ code: 'custom', message: 'must be a hex colour such as #2457d6' });
    return colour ?? DEFAULT_BRAND_COLOR;
  }),
  // Behind a proxy: whose X-Forwarded-* to believe (addresses, CIDRs, loopback/uniquelocal/linklocal).
  // Unset means none: limits key on the socket address and nobody can spoof it (AS-71).
  TRUST_PROXY: z.string().optional().transform(derived(parseTrustProxy)),
  // Shared abuse counters in Redis instead of Postgres (docs/security.md AS-45, REL-3).
  REDIS_URL: z.url({ protocol: /^rediss?$/ }).optional(),
  // A rotated refresh token presented again within this window returns the same pair (AS-28); 0 disables.
  REFRESH_REUSE_GRACE_SECONDS: z.coerce.number().int().min(0).max(60).default(10),
  // Registrations that never received a grant are deleted after this many hours (0 = never);
  // one that holds or ever held a grant is kept (adapter/unused-clients.ts).
  UNUSED_CLIENT_TTL_HOURS: z.coerce.number().int().min(0).max(24 * 365).default(24),
  // The connection doctor's timeline (`pnpm admin doctor`): steps older than this are pruned.
  DOCTOR_RETENTION_HOURS: z.coerce.number().int().min(1).max(24 * 90).default(72),
  LIMIT_REGISTER_PER_IP: rate(DEFAULT_LIMITS.LIMIT_REGISTER_PER_IP),
  LIMIT_REGISTER_PER_CALLER: rate(DEFAULT_LIMITS.LIMIT_REGISTER_PER_CALLER),
  LIMIT_REGISTER_GLOBAL: rate(DEFAULT_LIMITS.LIMIT_REGISTER_GLOBAL),
  LIMIT_CIMD_PER_HOST: rate(DEFAULT_LIMITS.LIMIT_CIMD_PER_HOST),
  LIMIT_TOKEN_PER_CLIENT: rate(DEFAULT_LIMITS.LIMIT_TOKEN_PER_CLIENT),
  LIMIT_LOGIN_PER_ACCOUNT: rate(DEFAULT_LIMITS.LIMIT_LOGIN_PER_ACCOUNT),
  LIMIT_LOGIN_PER_IP: rate(DEFAULT_LIMITS.LIMIT_LOGIN_PER_IP),
  // Sign-in with email and password on our pages; false leaves only the identity providers
  // (`pnpm admin idp:add`), and the password routes refuse.
  PASSWORD_SIGN_IN: z.enum(['true', 'false']).default('true'),
  // Who must have a second factor (authenticator app or passkey): off, admins (default) or all.
  MFA_REQUIRED: z.enum(MFA_POLICIES).default('admins'),
});

const EnvSchema = EnvObject.superRefine((env, ctx) => {
  checkServerEnv(env, ctx);
  const metricsPort = metricsPortProblem(env.AUTH_METRICS_PORT, env.AUTH_PORT, 'AUTH_PORT');
  if (metricsPort) ctx.addIssue({ code: 'custom', path: ['AUTH_METRICS_PORT'], message: metricsPort });
  if (env.NODE_ENV === 'production' && env.CIMD_DEV_ALLOW.length > 0) {
    ctx.addIssue({ code: 'custom', path: ['CIMD_DEV_ALLOW'], message: 'is for tests and local development only; refused when NODE_ENV=production' });
  }
  for (const origin of env.CIMD_DEV_ALLOW) {
    const url = URL.parse(origin);
    if (!url || url.origin !== origin) {
      ctx.addIssue({ code: 'custom', path: ['CIMD_DEV_ALLOW'], message: `"${origin}" is not an origin (scheme://host:port, no path)` });
    }
  }
});

/** Every environment variable the auth app reads (docs and the compose check derive from it). */
export const AUTH_ENV_VARS: readonly string[] = Object.keys(EnvObject.shape);

export type AuthConfig = Omit<ServerSettings, 'production'> & {
  host: string;
  port: number;
  /** The metrics listener (METRICS_HOST, AUTH_METRICS_PORT), or disabled. */
  metrics: MetricsSettings;
  allowedRedirectUris: RedirectPattern[];
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  /** Origins exempt from CIMD's https and special-address rules (tests, local development). */
  cimdDevAllow: string[];
  brandName: string;
  /** Name, logo and accent colour of the sign-in, consent and account pages. */
  branding: Branding;
  /** Signing-key rotation timings (@omnichat/signing-keys' rotation policy). */
  keys: KeyTimings;
  /** Fastify's trustProxy; also switches oidc-provider's `proxy` on (AS-24, AS-71). */
  trustProxy: TrustProxy;
  redisUrl: string | undefined;
  refreshReuseGraceSeconds: number;
  /** Hours before an ungranted registration is pruned; 0 keeps them all. */
  unusedClientTtlHours: number;
  /** How long the connection doctor keeps each recorded step (DOCTOR_RETENTION_HOURS). */
  doctorRetentionHours: number;
  limits: AuthLimits;
  /** The email + password form on the sign-in pages (PASSWORD_SIGN_IN). */
  passwordSignIn: boolean;
  /** Upstream identity providers: the bound on every request to one. */
  sso: { timeoutSeconds: number; production: boolean };
  /** MFA_REQUIRED: who is taken to set up a second factor right after signing in (mfa/policy.ts). */
  mfaPolicy: MfaPolicy;
};

/** Parses the environment once at boot; throws one line per problem. */
export function loadAuthConfig(env: Record<string, string | undefined>): AuthConfig {
  const e = parseEnv(EnvSchema, env, 'auth');
  const { production, ...server } = serverSettings(e);
  return {
    ...server,
    host: e.AUTH_HOST,
    port: e.AUTH_PORT,
    metrics: metricsSettings(e.METRICS_HOST, e.AUTH_METRICS_PORT),
    allowedRedirectUris: e.ALLOWED_REDIRECT_URIS,
    accessTokenTtlSeconds: e.ACCESS_TOKEN_TTL_SECONDS,
    refreshTokenTtlSeconds: e.REFRESH_TOKEN_TTL_SECONDS,
    cimdDevAllow: e.CIMD_DEV_ALLOW,
    brandName: e.BRAND_NAME,
    branding: { name: e.BRAND_NAME, logoUrl: e.BRAND_LOGO_URL || undefined, color: e.BRAND_COLOR },
    keys: keyTimings(e),
    trustProxy: e.TRUST_PROXY,
    redisUrl: e.REDIS_URL,
    refreshReuseGraceSeconds: e.REFRESH_REUSE_GRACE_SECONDS,
    unusedClientTtlHours: e.UNUSED_CLIENT_TTL_HOURS,
    doctorRetentionHours: e.DOCTOR_RETENTION_HOURS,
    limits: authLimits(e),
    passwordSignIn: e.PASSWORD_SIGN_IN === 'true',
    sso: { timeoutSeconds: e.SSO_TIMEOUT_SECONDS, production },
    mfaPolicy: e.MFA_REQUIRED,
  };
}
