import { DEV_KEY_ENCRYPTION_SECRET, previousSecretsProblems, type SecretRing } from '@omnichat/secrets';
import { productionUrlProblem, type ShutdownSettings } from '@omnichat/lifecycle';
import { DEFAULT_AUTH_METRICS_PORT, metricsHostSchema, metricsPortProblem, metricsPortSchema, metricsSettings, type MetricsSettings } from '@omnichat/metrics';
import { z } from 'zod';

import { authLimits, DEFAULT_LIMITS, type AuthLimits } from './limits/auth-limits.js';
import { parseTrustProxy, type TrustProxy } from './limits/trust-proxy.js';
import type { KeyTimings } from '@omnichat/signing-keys';
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

/**
 * Used only when KEY_ENCRYPTION_SECRET is unset outside production; shared with the MCP app and the
 * admin CLI (they open the same sealed rows), so it lives in @omnichat/secrets.
 */
export { DEV_KEY_ENCRYPTION_SECRET };

const commaList = z
  .string()
  .transform((value) => value.split(',').map((item) => item.trim()).filter((item) => item !== ''));

const httpUrl = z.url({ protocol: /^https?$/ });

const EnvSchema = z
  .object({
    NODE_ENV: z.string().default('development'),
    // RFC 8414 §3.3 / RFC 9207 §2.4: clients compare the issuer byte for byte, so exactly one form.
    ISSUER: httpUrl
      .default('http://localhost:4000')
      .refine((value) => !value.endsWith('/'), 'ISSUER must not end with "/" (clients compare it byte for byte)')
      .refine((value) => {
        // Not a URL at all is reported by the url check; zod runs refinements regardless.
        const url = URL.parse(value);
        return !url || (url.search === '' && url.hash === '');
      }, 'ISSUER must not carry a query or fragment (RFC 8414 §2)'),
    RESOURCE_URL: httpUrl
      .default('http://localhost:3000/mcp')
      .refine((value) => {
        const url = URL.parse(value);
        return !url || (url.search === '' && url.hash === '' && url.href === value && !value.endsWith('/'));
      }, 'RESOURCE_URL must be canonical: no query, fragment or trailing slash (RFC 8707 §2)'),
    AUTH_HOST: z.string().min(1).default('localhost'),
    AUTH_PORT: z.coerce.number().int().min(0).max(65535).default(4000),
    // Prometheus metrics on their own listener (never the public port); 0 disables them.
    METRICS_HOST: metricsHostSchema,
    AUTH_METRICS_PORT: metricsPortSchema(DEFAULT_AUTH_METRICS_PORT),
    ALLOWED_REDIRECT_URIS: commaList.default(DEFAULT_ALLOWED_REDIRECT_URIS),
    CORS_ORIGINS: commaList.default(['https://chatgpt.com', 'https://platform.openai.com']),
    KEY_ENCRYPTION_SECRET: z.string().min(32, 'KEY_ENCRYPTION_SECRET must be at least 32 characters').optional(),
    // The secrets KEY_ENCRYPTION_SECRET replaced, newest first: sealed keys, cookies and CSRF tokens
    // made under them still open while `pnpm admin secrets:rotate` re-seals (docs/operations.md).
    KEY_ENCRYPTION_SECRET_PREVIOUS: commaList.default([]),
    ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().min(30).max(3600).default(600),
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
    // Graceful stop (SIGTERM): /readyz fails for the drain period, then in-flight requests finish
    // within the timeout. Keep the orchestrator's grace period (compose stop_grace_period) above both.
    SHUTDOWN_DRAIN_SECONDS: z.coerce.number().min(0).max(300).default(5),
    SHUTDOWN_TIMEOUT_SECONDS: z.coerce.number().positive().max(600).default(30),
    // Signing-key rotation (keys/rotation-policy.ts): period in days (0 = only `pnpm admin keys:rotate`),
    // how often each replica polls for a key-set change (the bound on picking one up), and how long
    // a next key is published before it signs (longer than any verifier caches the JWKS).
    KEY_ROTATION_DAYS: z.coerce.number().int().min(0).max(3650).default(90),
    KEY_SET_POLL_SECONDS: z.coerce.number().positive().max(3600).default(30),
    KEY_PUBLISH_LEAD_SECONDS: z.coerce.number().min(0).max(30 * 24 * 3600).default(900),
    // Behind a proxy: whose X-Forwarded-* to believe (addresses, CIDRs, loopback/uniquelocal/linklocal).
    // Unset means none: limits key on the socket address and nobody can spoof it (AS-71).
    TRUST_PROXY: z.string().optional(),
    // Shared abuse counters in Redis instead of Postgres (docs/security.md AS-45, REL-3).
    REDIS_URL: z.url({ protocol: /^rediss?$/ }).optional(),
    // A rotated refresh token presented again within this window returns the same pair (AS-28); 0 disables.
    REFRESH_REUSE_GRACE_SECONDS: z.coerce.number().int().min(0).max(60).default(10),
    // Registrations that never received a grant are deleted after this many hours (0 = never);
    // one that holds or ever held a grant is kept (adapter/unused-clients.ts).
    UNUSED_CLIENT_TTL_HOURS: z.coerce.number().int().min(0).max(24 * 365).default(24),
    LIMIT_REGISTER_PER_IP: z.string().default(DEFAULT_LIMITS.LIMIT_REGISTER_PER_IP),
    LIMIT_REGISTER_PER_CALLER: z.string().default(DEFAULT_LIMITS.LIMIT_REGISTER_PER_CALLER),
    LIMIT_REGISTER_GLOBAL: z.string().default(DEFAULT_LIMITS.LIMIT_REGISTER_GLOBAL),
    LIMIT_CIMD_PER_HOST: z.string().default(DEFAULT_LIMITS.LIMIT_CIMD_PER_HOST),
    LIMIT_TOKEN_PER_CLIENT: z.string().default(DEFAULT_LIMITS.LIMIT_TOKEN_PER_CLIENT),
    LIMIT_LOGIN_PER_ACCOUNT: z.string().default(DEFAULT_LIMITS.LIMIT_LOGIN_PER_ACCOUNT),
    LIMIT_LOGIN_PER_IP: z.string().default(DEFAULT_LIMITS.LIMIT_LOGIN_PER_IP),
    // Sign-in with email and password on our pages; false leaves only the identity providers
    // (`pnpm admin idp:add`), and the password routes refuse.
    PASSWORD_SIGN_IN: z.enum(['true', 'false']).default('true'),
    // Every request to an identity provider (discovery, token, keys) gives up after this long.
    SSO_TIMEOUT_SECONDS: z.coerce.number().positive().max(60).default(10),
    // Who must have a second factor (authenticator app or passkey): off, admins (default) or all.
    MFA_REQUIRED: z.enum(MFA_POLICIES).default('admins'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  })
  .superRefine((env, ctx) => {
    const production = env.NODE_ENV === 'production';
    if (production && !env.KEY_ENCRYPTION_SECRET) {
      ctx.addIssue({ code: 'custom', path: ['KEY_ENCRYPTION_SECRET'], message: 'required when NODE_ENV=production' });
    }
    for (const message of previousSecretsProblems(env.KEY_ENCRYPTION_SECRET_PREVIOUS, env.KEY_ENCRYPTION_SECRET)) {
      ctx.addIssue({ code: 'custom', path: ['KEY_ENCRYPTION_SECRET_PREVIOUS'], message });
    }
    for (const [name, value] of [['ISSUER', env.ISSUER], ['RESOURCE_URL', env.RESOURCE_URL]] as const) {
      const problem = production ? productionUrlProblem(value) : undefined;
      if (problem) ctx.addIssue({ code: 'custom', path: [name], message: problem });
    }
    const metricsPort = metricsPortProblem(env.AUTH_METRICS_PORT, env.AUTH_PORT, 'AUTH_PORT');
    if (metricsPort) ctx.addIssue({ code: 'custom', path: ['AUTH_METRICS_PORT'], message: metricsPort });
    if (production && env.CIMD_DEV_ALLOW.length > 0) {
      ctx.addIssue({ code: 'custom', path: ['CIMD_DEV_ALLOW'], message: 'is for tests and local development only; refused when NODE_ENV=production' });
    }
    for (const origin of env.CIMD_DEV_ALLOW) {
      const url = URL.parse(origin);
      if (!url || url.origin !== origin) {
        ctx.addIssue({ code: 'custom', path: ['CIMD_DEV_ALLOW'], message: `"${origin}" is not an origin (scheme://host:port, no path)` });
      }
    }
    try {
      authLimits(env);
    } catch (error) {
      ctx.addIssue({ code: 'custom', path: ['LIMIT_*'], message: (error as Error).message });
    }
    try {
      parseTrustProxy(env.TRUST_PROXY);
    } catch (error) {
      ctx.addIssue({ code: 'custom', path: ['TRUST_PROXY'], message: (error as Error).message });
    }
    try {
      parseRedirectPatterns(env.ALLOWED_REDIRECT_URIS);
    } catch (error) {
      ctx.addIssue({ code: 'custom', path: ['ALLOWED_REDIRECT_URIS'], message: (error as Error).message });
    }
  });

/** Every environment variable the auth app reads (docs and the compose check derive from it). */
export const AUTH_ENV_VARS: readonly string[] = Object.keys(EnvSchema.shape);

export type AuthConfig = {
  issuer: string;
  /** The canonical resource (RFC 8707): every access token's `aud`. */
  resourceUrl: string;
  host: string;
  port: number;
  /** The metrics listener (METRICS_HOST, AUTH_METRICS_PORT), or disabled. */
  metrics: MetricsSettings;
  allowedRedirectUris: RedirectPattern[];
  corsOrigins: string[];
  keyEncryptionSecret: string;
  /** KEY_ENCRYPTION_SECRET with KEY_ENCRYPTION_SECRET_PREVIOUS: what sealed keys, cookies and CSRF tokens open with. */
  keyRing: SecretRing;
  /** True when the fixed development secret is in use (logged loudly at boot). */
  usingDevKeySecret: boolean;
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  /** Origins exempt from CIMD's https and special-address rules (tests, local development). */
  cimdDevAllow: string[];
  brandName: string;
  /** Name, logo and accent colour of the sign-in, consent and account pages. */
  branding: Branding;
  logLevel: string;
  /** Signing-key rotation timings (keys/rotation-policy.ts). */
  keys: KeyTimings;
  shutdown: ShutdownSettings;
  /** Fastify's trustProxy; also switches oidc-provider's `proxy` on (AS-24, AS-71). */
  trustProxy: TrustProxy;
  redisUrl: string | undefined;
  refreshReuseGraceSeconds: number;
  /** Hours before an ungranted registration is pruned; 0 keeps them all. */
  unusedClientTtlHours: number;
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
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`invalid auth configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  return {
    issuer: e.ISSUER,
    resourceUrl: e.RESOURCE_URL,
    host: e.AUTH_HOST,
    port: e.AUTH_PORT,
    metrics: metricsSettings(e.METRICS_HOST, e.AUTH_METRICS_PORT),
    allowedRedirectUris: parseRedirectPatterns(e.ALLOWED_REDIRECT_URIS),
    corsOrigins: e.CORS_ORIGINS,
    keyEncryptionSecret: e.KEY_ENCRYPTION_SECRET ?? DEV_KEY_ENCRYPTION_SECRET,
    keyRing: { current: e.KEY_ENCRYPTION_SECRET ?? DEV_KEY_ENCRYPTION_SECRET, previous: e.KEY_ENCRYPTION_SECRET_PREVIOUS },
    usingDevKeySecret: e.KEY_ENCRYPTION_SECRET === undefined,
    accessTokenTtlSeconds: e.ACCESS_TOKEN_TTL_SECONDS,
    refreshTokenTtlSeconds: e.REFRESH_TOKEN_TTL_SECONDS,
    cimdDevAllow: e.CIMD_DEV_ALLOW,
    brandName: e.BRAND_NAME,
    branding: { name: e.BRAND_NAME, logoUrl: e.BRAND_LOGO_URL || undefined, color: e.BRAND_COLOR },
    logLevel: e.LOG_LEVEL,
    shutdown: { drainDelayMs: e.SHUTDOWN_DRAIN_SECONDS * 1000, timeoutMs: e.SHUTDOWN_TIMEOUT_SECONDS * 1000 },
    keys: {
      accessTokenTtlSeconds: e.ACCESS_TOKEN_TTL_SECONDS,
      keySetPollSeconds: e.KEY_SET_POLL_SECONDS,
      keyPublishLeadSeconds: e.KEY_PUBLISH_LEAD_SECONDS,
      keyRotationDays: e.KEY_ROTATION_DAYS,
    },
    trustProxy: parseTrustProxy(e.TRUST_PROXY),
    redisUrl: e.REDIS_URL,
    refreshReuseGraceSeconds: e.REFRESH_REUSE_GRACE_SECONDS,
    unusedClientTtlHours: e.UNUSED_CLIENT_TTL_HOURS,
    limits: authLimits(e),
    passwordSignIn: e.PASSWORD_SIGN_IN === 'true',
    sso: { timeoutSeconds: e.SSO_TIMEOUT_SECONDS, production: e.NODE_ENV === 'production' },
    mfaPolicy: e.MFA_REQUIRED,
  };
}
