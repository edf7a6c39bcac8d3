import { RESOURCE_SCOPES, isScope } from '@omnichat/scopes';
import { errors, type AdapterFactory, type Configuration, type FindAccount, type KoaContextWithOIDC } from 'oidc-provider';

import type { AuthConfig } from '../config.js';
import type { SigningKeys } from '@omnichat/signing-keys';
import { SIGNING_ALG } from '@omnichat/signing-keys';
import { canonicalResource, resourceVariants } from '../policy/resource.js';
import { SESSION_TTL_SECONDS } from '../account/session.js';
import { providerCookieOptions } from '../http/cookies.js';
import { errorPage } from '../views/error-page.js';
import { pageHeaders } from '../views/layout.js';
import { applyDefaultScope } from '../seams/oidc-missing-scope.js';
import { grantResourceVariants } from '../seams/oidc-resource-variants.js';
import { clientMetadataValidator, CLIENT_METADATA_CHECKED, supportedScopes } from './client-metadata.js';
import { loadExistingGrant } from './load-existing-grant.js';
import { createProviderFetch, type DevFetch } from './provider-fetch.js';

export type ProviderDeps = {
  /** None: oidc-provider's own in-memory development adapter (benchmarks only). */
  adapter: AdapterFactory | undefined;
  jwks: SigningKeys;
  findAccount: FindAccount;
  cookieKeys: string[];
  devFetch?: DevFetch | undefined;
  /** features.clientIdMetadataDocument.allowFetch: the per-host fetch limit (AS-52). */
  allowCimdFetch?: (ctx: KoaContextWithOIDC, clientId: string) => Promise<boolean>;
  /** Runs once a registration body is parsed, before the client is stored (limits/registration-limit.ts). */
  beforeRegistration?: (ctx: KoaContextWithOIDC) => Promise<void>;
  /** features.clientIdMetadataDocument.allowClient (counts accepted documents: cimd-registrations.ts). */
  allowCimdClient?: (ctx: KoaContextWithOIDC) => Promise<boolean>;
  /** This account's newest grant for the client (grants/account-grants.ts), for remembered consent. */
  findAccountGrant?: (accountId: string, clientId: string) => Promise<string | undefined>;
};

/**
 * Static OIDC scopes; resource scopes come from getResourceServerInfo (RFC 8707). `amr` (how the
 * user signed in: interactionFinished's `login.amr`, RFC 8176 values from sign-in/amr.ts) sits
 * under `openid`, so every ID token carries it; a standalone claim would appear only when a client
 * asks for it with the claims parameter.
 */
const OIDC_CLAIMS = {
  openid: ['sub', 'amr'],
  email: ['email', 'email_verified'],
  profile: ['updated_at'],
};

/**
 * oidc-provider configuration: only what departs from its defaults, each with the reason
 * (the rows of docs/security.md name the case each guards and the test that covers it).
 */
export function providerConfiguration(config: AuthConfig, deps: ProviderDeps): Configuration {
  const resourceServer = (client: { scope?: string | undefined }) => ({
    // Per-client limit: a DCR `scope` does not restrict resource scopes upstream (D.3 #4).
    scope: RESOURCE_SCOPES.filter((scope) => !client.scope || client.scope.split(' ').includes(scope)).join(' '),
    // RFC 8707 + MCP: `aud` is the canonical resource whatever form the client sent (AS-35).
    audience: config.resourceUrl,
    accessTokenFormat: 'jwt' as const,
    // A JWT cannot be recalled: keep it short (AS-16).
    accessTokenTTL: config.accessTokenTtlSeconds,
    jwt: { sign: { alg: SIGNING_ALG } },
  });

  return {
    // Every artefact in Postgres, so replicas share state and restarts lose nothing (AS-69).
    ...(deps.adapter ? { adapter: deps.adapter } : {}),
    // Keys from the database, never the publicly known development keys (AS-62).
    jwks: deps.jwks,
    findAccount: deps.findAccount,
    // Signed cookies with keys that survive restarts and are shared by replicas (AS-60, AS-69).
    cookies: { keys: deps.cookieKeys, ...providerCookieOptions(config.issuer) },
    claims: OIDC_CLAIMS,
    // Resource scopes are listed as static scopes too, or oidc-provider refuses a DCR `scope` that
    // names them (it validates client scope against statics) and cannot limit them per client.
    scopes: supportedScopes(),
    // /register, as README names it (the default is /reg).
    routes: { registration: '/register' },
    // Code flow only (RFC 9700 §2.1.2); the default also allows id_token and none response types.
    responseTypes: ['code'],
    // The default lets confidential clients skip PKCE; OAuth 2.1 requires it of every client (AS-08).
    pkce: { required: () => true },
    // Rotate for every client type, not only public ones near expiry (AS-26).
    rotateRefreshToken: true,
    // Any client registered for refresh_token gets one; ChatGPT never asks for offline_access (AS-32).
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    // The default binds every token without offline_access to the browser session, so a refresh
    // token would die when that session ends (14 days, sign-out, "switch account", a password
    // reset) and the client would be silently disconnected. The grant is what a user or an admin
    // revokes; refresh tokens live by their own TTL and the grant's (AS-32, AS-33).
    expiresWithSession: async () => false,
    ttl: {
      AccessToken: config.accessTokenTtlSeconds,
      AuthorizationCode: 60,
      Interaction: 600,
      RefreshToken: config.refreshTokenTtlSeconds,
      // The default warns and means the same 14 days; the account page's own sign-in uses this too.
      Session: SESSION_TTL_SECONDS,
      // Outlives refresh tokens: a grant expiring first would silently kill them after 14 days (the default).
      Grant: 365 * 24 * 3600,
    },
    // ChatGPT's CIMD document uses private_key_jwt; DCR clients ask for none or client_secret_post (docs/clients.md §4).
    clientAuthMethods: ['none', 'private_key_jwt', 'client_secret_post', 'client_secret_basic'],
    enabledJWA: {
      // Asymmetric only: no HS* (client_secret_jwt) and so no key confusion with public keys (AS-67).
      clientAuthSigningAlgValues: ['RS256', 'PS256', 'ES256', 'EdDSA'],
    },
    // CORS on /token for our configured origins and, as upstream does, for a public client's own
    // redirect origin (browser MCP clients); never on revocation/introspection (AS-73).
    clientBasedCORS: (ctx, origin, client) => {
      if (ctx.oidc.route !== 'token') return false;
      if (config.corsOrigins.includes(origin)) return true;
      return client.clientAuthMethod === 'none' && client.redirectUris?.some((uri) => URL.parse(uri)?.origin === origin) === true;
    },
    // Redirect allow-list and field caps for DCR and CIMD alike; runs on every client load (AS-39..44, AS-47).
    extraClientMetadata: { properties: [...CLIENT_METADATA_CHECKED], validator: clientMetadataValidator(config) },
    // A missing or empty scope (ChatGPT and Claude reconnects) means "what this client may have"
    // (AS-38); with id_token_hint too, `openid` stood in until now (seams/oidc-missing-scope.ts).
    extraParams: {
      scope(ctx: KoaContextWithOIDC, value: string | undefined, client: { scope?: string | undefined }) {
        applyDefaultScope(ctx, value, () => {
          const allowed = client.scope ? client.scope.split(' ') : supportedScopes();
          return allowed.filter((scope) => isScope(scope) || scope in OIDC_CLAIMS).join(' ');
        });
      },
    },
    // The grant id lets the MCP server refuse tokens of a revoked grant before they expire (D.3 #1).
    extraTokenClaims: async (_ctx, token) => (token.kind === 'AccessToken' ? { gid: token.grantId } : undefined),
    // The jwks_uri of a private_key_jwt client is fetched; the default size limit is Infinity (AS-44).
    fetchResponseBodyLimits: { jwks_uri: 64 * 1024 },
    // SSRF dispatcher kept, except for CIMD_DEV_ALLOW origins (local development and tests).
    fetch: createProviderFetch(config.cimdDevAllow, deps.devFetch),
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    // A scope this account already granted the client is not asked again, in any browser and
    // after sign-out (the default only looks in the current session); a new scope still is. Its
    // grant then outlives this session: signing in as someone else here is not a disconnect.
    loadExistingGrant: loadExistingGrant(deps.findAccountGrant),
    renderError: async (ctx, out) => {
      ctx.set(pageHeaders(config.branding));
      ctx.body = errorPage({ branding: config.branding, error: out.error, description: out.error_description });
    },
    // Cast: @types/oidc-provider only types `introspection.enabled: true` next to openid4vci or
    // RAR; the library itself has no such rule.
    features: {
      // Development views accept any password (AS-62).
      devInteractions: { enabled: false },
      // Open DCR: ChatGPT sends no initial access token (docs/clients.md §4).
      registration: {
        enabled: true,
        // Registration management is off, so a registration access token would open nothing. The
        // hook is also oidc-provider's one documented async step between parsing a registration
        // body and storing the client, which is where the per-caller limit needs to look (AS-45).
        issueRegistrationAccessToken: async (ctx) => {
          await deps.beforeRegistration?.(ctx);
          return false;
        },
      },
      revocation: { enabled: true },
      introspection: { enabled: true },
      clientIdMetadataDocument: { enabled: true, ack: 'draft-02', ...(deps.allowCimdFetch ? { allowFetch: deps.allowCimdFetch } : {}), ...(deps.allowCimdClient ? { allowClient: deps.allowCimdClient } : {}) },
      resourceIndicators: {
        enabled: true,
        // No resource means the MCP server: there is only one (docs/clients.md §6).
        defaultResource: async (_ctx, _client, oneOf) => {
          if (!oneOf) return config.resourceUrl;
          return oneOf.includes(config.resourceUrl) ? config.resourceUrl : oneOf;
        },
        // A token request without `resource` keeps the granted MCP audience even with openid in
        // scope; only grants with no resource scope at all get a UserInfo token (OIDC-only clients).
        useGrantedResource: async (_ctx, model) => [...model.scopes].some((scope) => isScope(scope)),
        // The default throws for everything; ours knows exactly one resource (AS-34).
        getResourceServerInfo: async (ctx, indicator, client) => {
          if (!canonicalResource(indicator, config.resourceUrl)) throw new errors.InvalidTarget();
          const info = resourceServer(client);
          // Grant both spellings at authorization time, so a later token request may repeat
          // either one or omit it and still get the same (canonical) audience.
          grantResourceVariants(ctx, resourceVariants(config.resourceUrl).filter((variant) => variant !== indicator), info);
          return info;
        },
      },
    } as Configuration['features'],
  };
}
