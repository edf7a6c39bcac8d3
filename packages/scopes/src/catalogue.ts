/**
 * The one scope catalogue. The authorization server's `scopes`, the consent screen's text,
 * the protected resource metadata's `scopes_supported` and every tool's `securitySchemes`
 * are derived from this table; no other module spells a scope's text.
 */
export const SCOPES = {
  'files:read': { description: 'Read your private files' },
  'files:write': { description: 'Create, change and delete your private files' },
  'chat:read': { description: 'Read your conversations and messages' },
  'chat:write': { description: 'Post messages in your conversations' },
  'ssh:execute': { description: 'Run commands on servers an administrator approved for you' },
} as const satisfies Record<string, { description: string }>;

export type Scope = keyof typeof SCOPES;

/** Resource scopes, in catalogue order: PRM `scopes_supported` and the default grant. */
export const RESOURCE_SCOPES: readonly Scope[] = Object.keys(SCOPES) as Scope[];

/**
 * OpenID Connect scopes the authorization server also grants. Not resource scopes, so never in
 * PRM (SEP-2207: `offline_access` belongs in AS metadata only).
 */
export const OIDC_SCOPES = {
  openid: { description: 'Confirm who you are' },
  email: { description: 'See your email address' },
  profile: { description: 'See your basic profile' },
  offline_access: { description: 'Stay connected when you are away' },
} as const satisfies Record<string, { description: string }>;

export type OidcScope = keyof typeof OIDC_SCOPES;

export function isScope(value: string): value is Scope {
  return Object.hasOwn(SCOPES, value);
}

export function isOidcScope(value: string): value is OidcScope {
  return Object.hasOwn(OIDC_SCOPES, value);
}

/** Consent-screen text for any scope the authorization server may grant. */
export function describeScope(scope: Scope | OidcScope): string {
  return isScope(scope) ? SCOPES[scope].description : OIDC_SCOPES[scope].description;
}
