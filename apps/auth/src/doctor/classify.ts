import type { ConnectionFacts } from '@omnichat/doctor';

/** The rule a refusal falls under (packages/doctor rules.ts explains each). */
export type Classified = { rule: string; reason: string | undefined };

type OAuthError = Error & { error?: string; error_description?: string; cause?: unknown };

/** oidc-provider's own reason: its detail, else the cause it wrapped (PKCE), else its description. */
export function reasonOf(error: OAuthError, detail: string | undefined): string | undefined {
  const cause = error.cause instanceof Error ? error.cause.message : undefined;
  return cause ?? detail ?? error.error_description;
}

/** An /authorize refusal. */
export function classifyAuthorization(error: OAuthError, reason: string | undefined, clientIdIsUrl: boolean): Classified {
  const code = error.error ?? error.message;
  if (code === 'invalid_redirect_uri') return { rule: 'redirect_uri.unregistered', reason };
  if (code === 'invalid_client' || code === 'invalid_client_metadata') return { rule: clientIdIsUrl ? 'cimd.fetch_failed' : 'client.unknown', reason };
  if (code === 'invalid_target') return { rule: 'resource.invalid_target', reason };
  if (code === 'invalid_scope') return { rule: 'scope.invalid', reason };
  if (code === 'invalid_request' && /code_challenge|pkce/i.test(reason ?? '')) return { rule: 'pkce.missing', reason };
  return { rule: `authorize.${code}`, reason };
}

/** A token endpoint refusal, for the authorization_code grant or a refresh. */
export function classifyGrant(error: OAuthError, reason: string | undefined, grantType: string, reuse: boolean): Classified {
  const code = error.error ?? error.message;
  if (grantType === 'refresh_token') {
    if (reuse || /already used/.test(reason ?? '')) return { rule: 'refresh.reuse', reason };
    if (code === 'invalid_grant') return { rule: 'refresh.invalid', reason };
  }
  if (/code_verifier/.test(reason ?? '')) return { rule: 'pkce.mismatch', reason };
  if (code === 'invalid_grant') return { rule: 'code.invalid', reason };
  if (code === 'invalid_client') return { rule: 'client.auth_failed', reason };
  if (code === 'invalid_target') return { rule: 'resource.invalid_target', reason };
  if (code === 'invalid_scope') return { rule: 'scope.invalid', reason };
  return { rule: `token.${code}`, reason };
}

/** A refused registration. */
export function classifyRegistration(error: OAuthError, reason: string | undefined): Classified {
  const code = error.error ?? error.message;
  if (code === 'invalid_redirect_uri') return { rule: 'redirect_uri.not_allowed', reason };
  return { rule: 'registration.invalid_metadata', reason };
}

const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);
const texts = (value: unknown): string[] | undefined => (Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : undefined);

/**
 * The parameters of an authorization request that matter, by name: never `code_challenge` (it is
 * not secret, but nothing needs it), `state`, `nonce` or anything else a client sent.
 */
export function authorizationFacts(params: Record<string, unknown> | undefined): ConnectionFacts {
  const p = params ?? {};
  return {
    ...(text(p['redirect_uri']) ? { redirectUri: text(p['redirect_uri']) } : {}),
    ...(text(p['scope']) ? { scope: text(p['scope']) } : {}),
    ...(text(p['resource']) ? { resource: text(p['resource']) } : {}),
    ...(text(p['response_type']) ? { responseType: text(p['response_type']) } : {}),
    pkceMethod: text(p['code_challenge_method']) ?? (text(p['code_challenge']) ? 'plain (no method sent)' : 'none'),
  };
}

/** A token request's public parameters: grant type, redirect_uri, resource, scope; never the code, verifier or refresh token. */
export function grantFacts(params: Record<string, unknown> | undefined): ConnectionFacts {
  const p = params ?? {};
  return {
    grantType: text(p['grant_type']) ?? '(none)',
    ...(text(p['redirect_uri']) ? { redirectUri: text(p['redirect_uri']) } : {}),
    ...(text(p['resource']) ? { resource: text(p['resource']) } : {}),
    ...(text(p['scope']) ? { scope: text(p['scope']) } : {}),
  };
}

/** An RFC 7591 body's summary. */
export function registrationFacts(body: Record<string, unknown> | undefined): ConnectionFacts {
  const b = body ?? {};
  return {
    ...(text(b['client_name']) ? { clientName: text(b['client_name']) } : {}),
    ...(texts(b['redirect_uris']) ? { redirectUris: texts(b['redirect_uris']) } : {}),
    ...(text(b['token_endpoint_auth_method']) ? { tokenEndpointAuthMethod: text(b['token_endpoint_auth_method']) } : {}),
    ...(texts(b['grant_types']) ? { grantTypes: texts(b['grant_types']) } : {}),
    ...(text(b['application_type']) ? { applicationType: text(b['application_type']) } : {}),
  };
}
