import { isLoopbackName } from '@omnichat/util';
import * as oidc from 'openid-client';

/** Every request to an IdP (discovery, token, JWKS, UserInfo) gives up after this long by default. */
export const DEFAULT_IDP_TIMEOUT_SECONDS = 10;

export type IdpClient = {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Seconds before a request to the IdP is abandoned. */
  timeoutSeconds?: number | undefined;
};

/** Discovery failed: the IdP could not be reached, or what it published is not usable. */
export class IdpDiscoveryError extends Error {
  override readonly name = 'IdpDiscoveryError';
  constructor(message: string, readonly unreachable: boolean, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * openid-client's Configuration for one IdP: its discovery document (the issuer it states must be
 * `issuer` exactly), our client credentials, a bounded timeout, and ID token signatures checked
 * against the IdP's JWKS (openid-client leaves that to TLS unless asked). The issuer rule (https,
 * or loopback http outside production) was applied when the IdP was added; http is let through
 * here only for a loopback host.
 */
export async function discoverIdp(client: IdpClient): Promise<oidc.Configuration> {
  const timeout = client.timeoutSeconds ?? DEFAULT_IDP_TIMEOUT_SECONDS;
  const url = new URL(client.issuer);
  const plainLoopback = url.protocol === 'http:' && isLoopbackName(url.hostname);
  // openid-client marks allowInsecureRequests deprecated to make every use stand out: this one is
  // limited to loopback http, which idp:add refuses under NODE_ENV=production.
  // eslint-disable-next-line @typescript-eslint/no-deprecated
  const insecure = plainLoopback ? [oidc.allowInsecureRequests] : [];
  let discovered: oidc.Configuration;
  try {
    discovered = await oidc.discovery(url, client.clientId, undefined, oidc.None(), { timeout, execute: insecure });
  } catch (error) {
    throw discoveryError(client.issuer, error);
  }
  const metadata = discovered.serverMetadata();
  for (const field of ['authorization_endpoint', 'token_endpoint', 'jwks_uri'] as const) {
    if (typeof metadata[field] !== 'string') throw new IdpDiscoveryError(`${client.issuer} publishes no ${field}: it cannot be used for OpenID Connect sign-in`, false);
  }
  if (Array.isArray(metadata.response_types_supported) && !metadata.response_types_supported.includes('code')) {
    throw new IdpDiscoveryError(`${client.issuer} does not support the authorization code flow (response_types_supported)`, false);
  }
  // OpenID Connect Discovery §3: absent means client_secret_basic. Prefer it; else post.
  const methods = metadata.token_endpoint_auth_methods_supported ?? ['client_secret_basic'];
  const auth = methods.includes('client_secret_basic') || !methods.includes('client_secret_post')
    ? oidc.ClientSecretBasic(client.clientSecret)
    : oidc.ClientSecretPost(client.clientSecret);
  const config = new oidc.Configuration(metadata, client.clientId, undefined, auth);
  config.timeout = timeout;
  // eslint-disable-next-line @typescript-eslint/no-deprecated -- the same loopback-only exception as above
  if (plainLoopback) oidc.allowInsecureRequests(config);
  oidc.enableNonRepudiationChecks(config);
  return config;
}

/** The scheme and host of a URL for messages (never a path or query that might carry a secret). */
const where = (issuer: string) => URL.parse(issuer)?.origin ?? 'the issuer';

function discoveryError(issuer: string, error: unknown): IdpDiscoveryError {
  const reason = idpFailure(error);
  if (reason === 'unreachable') return new IdpDiscoveryError(`could not reach ${where(issuer)} (${failureDetail(error)})`, true, { cause: error });
  return new IdpDiscoveryError(`${issuer}/.well-known/openid-configuration is not usable: ${failureDetail(error)}`, false, { cause: error });
}

export type IdpFailure =
  | 'unreachable'
  | 'wrong_issuer'
  | 'wrong_audience'
  | 'wrong_nonce'
  | 'expired_id_token'
  | 'bad_signature'
  | 'no_id_token'
  | 'idp_error';

type Coded = { code?: unknown; message?: unknown; cause?: unknown; name?: unknown };

function chain(error: unknown): Coded[] {
  const links: Coded[] = [];
  let current: unknown = error;
  while (current && typeof current === 'object' && links.length < 6) {
    links.push(current as Coded);
    current = (current as Coded).cause;
  }
  return links;
}

/** Which check an openid-client failure is, for the user's page and the audit line (never the token). */
export function idpFailure(error: unknown): IdpFailure {
  const links = chain(error);
  const codes = links.map((link) => link.code);
  const messages = links.map((link) => String(link.message ?? ''));
  const claim = links.map((link) => (link as { claim?: unknown }).claim).find((value) => typeof value === 'string');
  if (codes.includes('OAUTH_TIMEOUT') || codes.includes('OAUTH_ABORT') || links.some((link) => link.name === 'TimeoutError' || link.name === 'AbortError')) return 'unreachable';
  if (messages.some((message) => message === 'fetch failed') || codes.some((code) => typeof code === 'string' && /^(ECONNREFUSED|ECONNRESET|ENOTFOUND|EAI_AGAIN|UND_ERR_)/.test(code))) return 'unreachable';
  if (codes.includes('OAUTH_JWT_CLAIM_COMPARISON_FAILED')) {
    if (claim === 'iss') return 'wrong_issuer';
    if (claim === 'aud' || claim === 'azp') return 'wrong_audience';
    if (claim === 'nonce') return 'wrong_nonce';
  }
  if (codes.includes('OAUTH_JWT_TIMESTAMP_CHECK_FAILED')) return 'expired_id_token';
  if (messages.some((message) => /signature verification failed/i.test(message)) || codes.includes('OAUTH_KEY_SELECTION_FAILED')) return 'bad_signature';
  if (messages.some((message) => /"id_token"/.test(message))) return 'no_id_token';
  return 'idp_error';
}

/** A short, secret-free description of a failure for operators (errors name claims, never values). */
export function failureDetail(error: unknown): string {
  const links = chain(error);
  const message = links.map((link) => String(link.message ?? '')).filter((text) => text !== '' && text !== 'something went wrong');
  const code = links.map((link) => link.code).find((value) => typeof value === 'string');
  return [message.slice(-1)[0] ?? 'failed', code ? `(${String(code)})` : ''].join(' ').trim().slice(0, 300);
}
