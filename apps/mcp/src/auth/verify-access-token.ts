import {
  errors as joseErrors,
  jwtVerify,
  type JWTPayload,
  type JWTVerifyGetKey,
} from 'jose';
import { splitScopeString } from '@omnichat/scopes';
import { InvalidTokenError, KeysUnavailableError, type InvalidTokenReason } from './errors.js';
import type { GrantStatus } from './grant-status.js';
import type { Principal } from './principal.js';
import type { RevokedKeys } from './revoked-keys.js';
import { VerifiedTokenCache } from './verified-token-cache.js';

/** Longest token we hand to the JWT parser (RS-22: cap before parsing). Ours are ~1 KiB. */
export const MAX_ACCESS_TOKEN_LENGTH = 4096;
/** Clock skew we forgive on exp/nbf/iat (RS-14). */
export const CLOCK_TOLERANCE_SECONDS = 30;
export const DEFAULT_TOKEN_CACHE_ENTRIES = 10_000;

export type AccessTokenVerifierOptions = {
  issuer: string;
  /** RESOURCE_URL: `aud` must contain it exactly (RFC 8707, RFC 9068 §4; never a prefix match). */
  audience: string;
  algorithms: readonly string[];
  getKey: JWTVerifyGetKey;
  cacheEntries?: number;
  /**
   * Revocation: when given, every token must name its grant (`gid`) and the grant must still be
   * live; checked on cache hits too, so the verified-token cache never outlives a revocation.
   */
  grants?: GrantStatus;
  /**
   * Signing keys revoked by an operator: a token whose header names one is refused even when the
   * cached JWKS still holds the key; a verification that overlaps a change is not cached.
   */
  revokedKeys?: Pick<RevokedKeys, 'has' | 'generation'>;
  /** Milliseconds since the epoch; injectable so tests can move time. */
  now?: () => number;
};

export type AccessTokenVerifier = {
  verify(token: string): Promise<Principal>;
  readonly cache: VerifiedTokenCache<Principal>;
  readonly grants: GrantStatus | undefined;
};

/**
 * Verifies an RFC 9068 JWT access token issued by our authorization server for this resource:
 * signature by a key from the AS's JWKS with an allow-listed asymmetric alg, `typ: at+jwt`
 * (an ID token is not an access token, RFC 9068 §4), `iss`, `aud`, `exp`/`nbf`, the claims
 * RFC 9068 §2.2 requires, and no `cnf` other than a DPoP `cnf.jkt` (kept on the principal: the
 * caller refuses a bound token sent as Bearer and checks the proof of a DPoP one, RFC 9449 §7.1).
 * Throws InvalidTokenError with the reason for the log; the wire only ever sees the short description.
 */
export function createAccessTokenVerifier(options: AccessTokenVerifierOptions): AccessTokenVerifier {
  const now = options.now ?? Date.now;
  const cache = new VerifiedTokenCache<Principal>(options.cacheEntries ?? DEFAULT_TOKEN_CACHE_ENTRIES, now);
  const algorithms = [...options.algorithms];

  const { grants, revokedKeys } = options;

  async function verify(token: string): Promise<Principal> {
    if (token.length > MAX_ACCESS_TOKEN_LENGTH) throw new InvalidTokenError('too_long');
    const principal = cache.get(token) ?? (await verifySignedToken(token));
    if (grants === undefined) return principal;
    // Common case: a fresh cached status, answered synchronously (no await, no query).
    const live = grants.isLive(principal.grantId as string);
    if (live === true || (live !== false && (await live))) return principal;
    throw new InvalidTokenError('revoked');
  }

  async function verifySignedToken(token: string): Promise<Principal> {
    let payload: JWTPayload;
    let kid: string | undefined;
    const generation = revokedKeys?.generation;
    try {
      ({ payload, protectedHeader: { kid } } = await jwtVerify(token, options.getKey, {
        issuer: options.issuer,
        audience: options.audience,
        typ: 'at+jwt',
        algorithms,
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        requiredClaims: ['exp', 'iat', 'sub', 'client_id', 'jti'],
        currentDate: new Date(now()),
      }));
    } catch (error) {
      const reason = reasonFor(error);
      if (reason === undefined) throw new KeysUnavailableError({ cause: error });
      throw new InvalidTokenError(reason, { cause: error });
    }

    // jose checks iat only against maxTokenAge; a token "issued" in the future is forged or from a
    // badly skewed clock either way (docs/security.md RS-14, RFC 9068 §4).
    if (typeof payload.iat === 'number' && payload.iat > now() / 1000 + CLOCK_TOLERANCE_SECONDS) {
      throw new InvalidTokenError('not_yet_valid');
    }
    if (kid !== undefined && revokedKeys?.has(kid)) throw new InvalidTokenError('revoked_key');
    const principal = principalFrom(payload, grants !== undefined);
    if (revokedKeys?.generation === generation) cache.set(token, principal, principal.expiresAt * 1000);
    return principal;
  }

  return { verify, cache, grants };
}

function principalFrom(payload: JWTPayload, requireGrantId: boolean): Principal {
  const { sub, client_id: clientId, scope, exp, email, cnf, gid } = payload;
  const boundThumbprint = cnf === undefined ? undefined : dpopThumbprintOf(cnf);
  if (typeof sub !== 'string' || sub === '' || typeof clientId !== 'string' || typeof exp !== 'number') {
    throw new InvalidTokenError('missing_claim');
  }
  if (scope !== undefined && typeof scope !== 'string') throw new InvalidTokenError('bad_scope_claim');
  // Without its grant id a token could never be revoked early; ours always carry one.
  if (requireGrantId && (typeof gid !== 'string' || gid === '')) throw new InvalidTokenError('missing_claim');
  return {
    subject: sub,
    clientId,
    scopes: splitScopeString(scope),
    expiresAt: exp,
    ...(typeof gid === 'string' && gid !== '' ? { grantId: gid } : {}),
    ...(typeof email === 'string' ? { email } : {}),
    ...(boundThumbprint !== undefined ? { boundThumbprint } : {}),
  };
}

/** RFC 9449 §6.1 `cnf.jkt`; any other confirmation method (mTLS `x5t#S256`...) we cannot check. */
function dpopThumbprintOf(cnf: unknown): string {
  const jkt = typeof cnf === 'object' && cnf !== null ? (cnf as Record<string, unknown>)['jkt'] : undefined;
  if (typeof jkt !== 'string' || jkt === '' || Object.keys(cnf as object).length !== 1) {
    throw new InvalidTokenError('sender_constrained');
  }
  return jkt;
}

/** Maps a jose failure to a reason; undefined means the keys could not be fetched at all. */
function reasonFor(error: unknown): InvalidTokenReason | undefined {
  if (error instanceof joseErrors.JWTExpired) return 'expired';
  if (error instanceof joseErrors.JWTClaimValidationFailed) {
    if (error.reason === 'missing') return 'missing_claim';
    switch (error.claim) {
      case 'aud':
        return 'aud_mismatch';
      case 'iss':
        return 'iss_mismatch';
      case 'nbf':
        return 'not_yet_valid';
      case 'typ':
        return 'typ_mismatch';
      default:
        return 'invalid';
    }
  }
  if (error instanceof joseErrors.JOSEAlgNotAllowed || error instanceof joseErrors.JOSENotSupported) {
    return 'alg_not_allowed';
  }
  if (error instanceof joseErrors.JWKSNoMatchingKey) return 'unknown_kid';
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return 'bad_signature';
  if (error instanceof joseErrors.JWSInvalid || error instanceof joseErrors.JWTInvalid) return 'malformed';
  if (error instanceof joseErrors.JWKSMultipleMatchingKeys || error instanceof joseErrors.JWKInvalid) return 'invalid';
  if (error instanceof InvalidTokenError) return error.reason;
  return undefined;
}
