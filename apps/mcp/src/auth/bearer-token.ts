import { InvalidAuthRequestError } from './errors.js';

/** RFC 6750 §2.1: credentials = "Bearer" 1*SP b64token; the scheme is case-insensitive. */
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;
/** RFC 9449 §7.1: the same token68 syntax under the "DPoP" scheme; tried only when Bearer does not match. */
const DPOP = /^DPoP +([A-Za-z0-9\-._~+/]+=*) *$/i;

/**
 * Extracts the access token from the Authorization header, the only place we accept one
 * (RFC 6750 §2.3 query tokens leak into logs and history; OAuth 2.1 §5.1 forbids them), under the
 * Bearer or the DPoP scheme (tell them apart with isDpopAuthorization once this returned a token).
 * Returns null when there are no credentials; throws for credentials in the wrong place or shape.
 */
export function extractAccessToken(
  authorization: string | undefined,
  query: Record<string, unknown> | undefined,
): string | null {
  if (query && Object.hasOwn(query, 'access_token')) {
    throw new InvalidAuthRequestError('Send the access token in the Authorization header only');
  }
  if (authorization === undefined || authorization === '') return null;
  const match = BEARER.exec(authorization) ?? DPOP.exec(authorization);
  if (!match?.[1]) throw new InvalidAuthRequestError('Malformed Authorization header: expected "Bearer <token>"');
  return match[1];
}

/**
 * For an Authorization header extractAccessToken accepted: whether its scheme is DPoP. One
 * character, so the Bearer path pays nothing for DPoP support.
 */
export function isDpopAuthorization(authorization: string): boolean {
  return (authorization.charCodeAt(0) | 0x20) === 0x64; // 'd' / 'D'
}
