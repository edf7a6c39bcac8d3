import { describeScope, isOidcScope, isScope } from '@omnichat/scopes';

import type { ConsentScope } from '../views/consent.js';

/** The parts of oidc-provider's consent prompt details we read. */
export type PromptDetails = {
  missingOIDCScope?: string[];
  missingOIDCClaims?: string[];
  missingResourceScopes?: Record<string, string[]>;
};

/** Catalogue scopes among these, once each, with their consent text (unknown tokens dropped). */
export function describeScopes(scopes: Iterable<string>): ConsentScope[] {
  return [...new Set(scopes)]
    .filter((scope) => isScope(scope) || isOidcScope(scope))
    .map((scope) => ({ scope, description: describeScope(scope as Parameters<typeof describeScope>[0]) }));
}

/** What the consent prompt still asks for (the resource may be listed under both spellings). */
export function requestedScopes(details: PromptDetails): ConsentScope[] {
  return describeScopes([...(details.missingOIDCScope ?? []), ...Object.values(details.missingResourceScopes ?? {}).flat()]);
}

/** Every scope a stored grant holds, OIDC and resource alike. */
export function grantScopes(grant: { openid?: { scope?: string } | undefined; resources?: Record<string, string> | undefined }): string[] {
  return [grant.openid?.scope ?? '', ...Object.values(grant.resources ?? {})].flatMap((value) => value.split(' ')).filter(Boolean);
}
