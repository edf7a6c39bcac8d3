import { isLoopbackName } from '@omnichat/util';

/**
 * What an operator may configure for an upstream identity provider, checked once when it is added
 * (`pnpm admin idp:add`) so the sign-in path never meets a malformed row.
 */

/** URL segment and CLI name: `/sso/<slug>/callback`. */
const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/;
/** A DNS name with at least one dot, lower-case (what an email's domain part is compared with). */
const DOMAIN = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$/;
/** RFC 6749 §3.3 scope-token characters. */
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;
const MAX_LABEL_CHARS = 60;
export const DEFAULT_IDP_SCOPES = 'openid email profile';

export type IdpSettingsInput = {
  slug: string;
  issuer: string;
  clientId: string;
  label?: string | undefined;
  allowedDomains?: readonly string[] | undefined;
  jitEnabled?: boolean | undefined;
  scopes?: string | undefined;
};

export type IdpSettings = {
  slug: string;
  issuer: string;
  clientId: string;
  label: string;
  allowedDomains: string[];
  jitEnabled: boolean;
  scopes: string;
};

/** A setting the operator got wrong; the message says which and why. */
export class IdpSettingsError extends TypeError {
  override readonly name = 'IdpSettingsError';
}

/** C0 controls and DEL: never in a label shown on a page or an id sent in a request. */
function hasControlCharacters(text: string): boolean {
  return [...text].some((char) => {
    const code = char.codePointAt(0) ?? 0;
    return code < 0x20 || code === 0x7f;
  });
}

/**
 * Why `issuer` cannot be an upstream issuer, or undefined. https always; plain http only to a
 * loopback address and only outside production (a local Keycloak, the tests' IdP): anything else
 * would carry the authorization code and the client secret in clear.
 */
export function issuerProblem(issuer: string, options: { production: boolean }): string | undefined {
  const url = URL.parse(issuer);
  if (!url) return `--issuer "${issuer}" is not a URL`;
  if (url.search !== '' || url.hash !== '') return '--issuer must not carry a query or fragment (OpenID Connect Discovery §2)';
  if (url.username !== '' || url.password !== '') return '--issuer must not carry credentials';
  if (url.protocol === 'https:') return undefined;
  if (url.protocol !== 'http:') return `--issuer must be an https URL (got ${url.protocol.replace(/:$/, '')})`;
  if (!isLoopbackName(url.hostname)) return '--issuer must be https; plain http is accepted only for a loopback address (localhost, 127.0.0.1, [::1])';
  if (options.production) return '--issuer must be https when NODE_ENV=production (plain http to loopback is for development only)';
  return undefined;
}

/** Validates and normalises everything but the secret; throws IdpSettingsError with the reason. */
export function parseIdpSettings(input: IdpSettingsInput, options: { production: boolean }): IdpSettings {
  const slug = input.slug.trim();
  if (!SLUG.test(slug)) throw new IdpSettingsError(`--name "${input.slug}" must be 1-40 lower-case letters, digits and "-" (it is part of the callback URL)`);
  const issuerIssue = issuerProblem(input.issuer, options);
  if (issuerIssue) throw new IdpSettingsError(issuerIssue);
  const clientId = input.clientId.trim();
  if (clientId === '' || clientId.length > 512 || /\s/.test(clientId) || hasControlCharacters(clientId)) throw new IdpSettingsError('--client-id must be 1-512 printable characters');
  const label = (input.label ?? slug).trim();
  if (label === '' || [...label].length > MAX_LABEL_CHARS || hasControlCharacters(label)) {
    throw new IdpSettingsError(`--label must be 1-${MAX_LABEL_CHARS} printable characters`);
  }
  const allowedDomains = [...new Set((input.allowedDomains ?? []).map((domain) => domain.trim().toLowerCase()))];
  for (const domain of allowedDomains) {
    if (!DOMAIN.test(domain)) throw new IdpSettingsError(`--allow-domain "${domain}" is not a domain name such as example.com (no "@", no scheme)`);
  }
  const scopeTokens = (input.scopes ?? DEFAULT_IDP_SCOPES).split(' ').filter((token) => token !== '');
  if (!scopeTokens.includes('openid')) throw new IdpSettingsError('--scopes must include "openid"');
  const badScope = scopeTokens.find((token) => !SCOPE_TOKEN.test(token));
  if (badScope !== undefined) throw new IdpSettingsError(`--scopes: "${badScope}" is not a valid scope`);
  return { slug, issuer: input.issuer, clientId, label, allowedDomains, jitEnabled: input.jitEnabled ?? true, scopes: [...new Set(scopeTokens)].join(' ') };
}

/** Where the IdP sends the browser back: registered at the IdP as the client's redirect URI. */
export function ssoRedirectUri(ourIssuer: string, slug: string): string {
  return `${ourIssuer}/sso/${slug}/callback`;
}

/** The domain part of an email, lower-case, or undefined when it has none. */
export function emailDomain(email: string): string | undefined {
  const at = email.lastIndexOf('@');
  return at > 0 && at < email.length - 1 ? email.slice(at + 1).toLowerCase() : undefined;
}
