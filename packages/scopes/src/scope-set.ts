import { isOidcScope, isScope, type OidcScope, type Scope } from './catalogue.js';

/** RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ), separated by single spaces. */
const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/;

export class UnknownScopeError extends Error {
  override readonly name = 'UnknownScopeError';
  constructor(readonly scope: string) {
    super(`unknown scope: ${scope}`);
  }
}

/** Splits a scope string into distinct tokens, in first-seen order. Empty or missing → []. */
export function splitScopeString(value: string | null | undefined): string[] {
  if (!value) return [];
  return [...new Set(value.split(' ').filter((token) => token !== ''))];
}

/**
 * Parses a space-separated scope string into catalogue scopes (resource and OIDC).
 * Throws UnknownScopeError on the first token the catalogue does not know.
 */
export function parseScopes(value: string | null | undefined): Array<Scope | OidcScope> {
  return splitScopeString(value).map((token) => {
    if (!SCOPE_TOKEN.test(token) || !(isScope(token) || isOidcScope(token))) {
      throw new UnknownScopeError(token);
    }
    return token;
  });
}

/** Formats scopes as the space-separated string OAuth puts on the wire. */
export function formatScopes(scopes: Iterable<string>): string {
  return [...new Set(scopes)].join(' ');
}

/** The required scopes that `granted` lacks, in the order they were required. */
export function missingScopes(granted: Iterable<string>, required: Iterable<string>): string[] {
  const have = new Set(granted);
  return [...new Set(required)].filter((scope) => !have.has(scope));
}

/** True when every required scope is in the granted set. */
export function hasScopes(granted: Iterable<string>, required: Iterable<string>): boolean {
  return missingScopes(granted, required).length === 0;
}
