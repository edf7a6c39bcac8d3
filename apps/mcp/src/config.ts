import { checkServerEnv, commaList, httpUrl, parseEnv, SERVER_ENV, serverSettings, type ServerSettings } from '@omnichat/config';
import { DEFAULT_MCP_METRICS_PORT, metricsPortProblem, metricsPortSchema, metricsSettings, type MetricsSettings } from '@omnichat/metrics';
import { z } from 'zod';
import { DEFAULT_RETENTION_DAYS } from '@omnichat/tool-audit';
import { DEFAULT_SSH_SETTINGS, type SshSettings } from './tools/ssh/ssh-settings.js';

/**
 * JWS algorithms we accept on access tokens. Asymmetric only: an HMAC entry would let anyone who
 * holds the public key mint tokens (RFC 8725 §2.1, §3.1 "algorithm confusion").
 */
export const ASYMMETRIC_ALGORITHMS = ['RS256', 'PS256', 'ES256', 'ES384', 'EdDSA'] as const;

/** A boolean setting; empty means unset (compose passes `${VAR:-}` through as ""). */
const flag = z
  .enum(['true', 'false', '1', '0', ''])
  .transform((value) => (value === '' ? undefined : value === 'true' || value === '1'));

const EnvObject = z.object({
  // ISSUER is the auth app's issuer, byte-identical to its metadata `issuer` (strict clients compare bytes).
  ...SERVER_ENV,
  JWKS_URL: httpUrl.optional(),
  MCP_HOST: z.string().min(1).default('localhost'),
  MCP_PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  MCP_METRICS_PORT: metricsPortSchema(DEFAULT_MCP_METRICS_PORT),
  // Extra Host header values accepted on /mcp besides RESOURCE_URL's own (e.g. behind a proxy).
  MCP_ALLOWED_HOSTS: commaList.default([]),
  // Unset or empty: strict, the default, since most clients start OAuth only on an HTTP 401
  // (issue 14). "false" is ChatGPT's mixed mode: anonymous handshake, per-tool challenges.
  MCP_REQUIRE_AUTH: flag.optional().transform((value) => value ?? true),
  ACCESS_TOKEN_ALGORITHMS: commaList
    .default(['RS256', 'PS256', 'ES256', 'EdDSA'])
    .pipe(z.array(z.enum(ASYMMETRIC_ALGORITHMS)).min(1)),
  RESOURCE_NAME: z.string().min(1).default('OmniChat'),
  // How long a grant's "still live" answer is trusted: the bound on revocation (docs/security.md B.1: ≤ 5 s).
  REVOCATION_CACHE_MS: z.coerce.number().int().min(0).max(5_000).default(2_000),
  // How often the revoked signing keys are read (`pnpm admin keys:revoke`): the bound on refusing their tokens.
  KEY_REVOCATION_POLL_SECONDS: z.coerce.number().positive().max(300).default(5),
  SSH_CONNECT_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(DEFAULT_SSH_SETTINGS.connectTimeoutMs),
  SSH_RUN_TIMEOUT_MS: z.coerce.number().int().min(100).max(3_600_000).default(DEFAULT_SSH_SETTINGS.runTimeoutMs),
  SSH_OUTPUT_CAP_BYTES: z.coerce.number().int().min(1024).max(16 * 1024 * 1024).default(DEFAULT_SSH_SETTINGS.outputCapBytes),
  SSH_MAX_CONCURRENT_PER_USER: z.coerce.number().int().min(1).max(64).default(DEFAULT_SSH_SETTINGS.maxConcurrentPerUser),
  // Tool-call audit rows (`pnpm admin audit:tools`) older than this are pruned, hourly, in batches.
  TOOL_AUDIT_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(DEFAULT_RETENTION_DAYS),
});

const EnvSchema = EnvObject.superRefine((env, ctx) => {
  checkServerEnv(env, ctx);
  const metricsPort = metricsPortProblem(env.MCP_METRICS_PORT, env.MCP_PORT, 'MCP_PORT');
  if (metricsPort) ctx.addIssue({ code: 'custom', path: ['MCP_METRICS_PORT'], message: metricsPort });
});

/** Every environment variable the MCP app reads (docs and the compose check derive from it). */
export const MCP_ENV_VARS: readonly string[] = Object.keys(EnvObject.shape);

export type McpConfig = Omit<ServerSettings, 'production'> & {
  jwksUrl: string;
  host: string;
  port: number;
  /** The metrics listener (METRICS_HOST, MCP_METRICS_PORT), or disabled. */
  metrics: MetricsSettings;
  /** Host header values /mcp accepts (DNS-rebinding protection). */
  allowedHosts: string[];
  /** Origin header values /mcp accepts when an Origin is sent at all. */
  allowedOrigins: string[];
  /**
   * Strict mode (the default): every /mcp request without a token is answered 401 with the
   * challenge, which is where clients start OAuth. False only with MCP_REQUIRE_AUTH=false
   * (ChatGPT's mixed mode: anonymous handshake, public tools, per-tool challenges).
   */
  requireAuth: boolean;
  algorithms: Array<(typeof ASYMMETRIC_ALGORITHMS)[number]>;
  resourceName: string;
  /** How long a live grant status is cached; tokens of a revoked grant are refused within it. */
  revocationCacheMs: number;
  /** How often revoked signing keys are polled (ms); tokens they signed are refused within it. */
  keyRevocationPollMs: number;
  ssh: SshSettings;
  /** The tool-call audit: how many days its rows are kept. */
  toolAudit: { retentionDays: number };
};

/** Parses the environment once at boot; throws one line per problem. */
export function loadMcpConfig(env: Record<string, string | undefined>): McpConfig {
  const e = parseEnv(EnvSchema, env, 'MCP');
  const { production: _production, ...server } = serverSettings(e);
  const resource = new URL(e.RESOURCE_URL);
  return {
    ...server,
    jwksUrl: e.JWKS_URL ?? `${e.ISSUER}/jwks`,
    host: e.MCP_HOST,
    port: e.MCP_PORT,
    metrics: metricsSettings(e.METRICS_HOST, e.MCP_METRICS_PORT),
    allowedHosts: [...new Set([resource.host, ...e.MCP_ALLOWED_HOSTS.map((host) => host.toLowerCase())])],
    allowedOrigins: [...new Set([resource.origin, ...e.CORS_ORIGINS])],
    requireAuth: e.MCP_REQUIRE_AUTH,
    algorithms: e.ACCESS_TOKEN_ALGORITHMS,
    resourceName: e.RESOURCE_NAME,
    revocationCacheMs: e.REVOCATION_CACHE_MS,
    keyRevocationPollMs: e.KEY_REVOCATION_POLL_SECONDS * 1000,
    ssh: {
      connectTimeoutMs: e.SSH_CONNECT_TIMEOUT_MS,
      runTimeoutMs: e.SSH_RUN_TIMEOUT_MS,
      outputCapBytes: e.SSH_OUTPUT_CAP_BYTES,
      maxConcurrentPerUser: e.SSH_MAX_CONCURRENT_PER_USER,
    },
    toolAudit: { retentionDays: e.TOOL_AUDIT_RETENTION_DAYS },
  };
}
