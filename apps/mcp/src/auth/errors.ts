/**
 * Typed protocol errors of the resource server. Each carries a stable OAuth error code; the one
 * place that turns them into HTTP answers or tool results is `challenge-for-error.ts`.
 */

/** Why a token was refused. Logged, never sent: the wire gets only a short description. */
export type InvalidTokenReason =
  | 'too_long'
  | 'malformed'
  | 'expired'
  | 'not_yet_valid'
  | 'aud_mismatch'
  | 'iss_mismatch'
  | 'typ_mismatch'
  | 'alg_not_allowed'
  | 'unknown_kid'
  | 'revoked_key'
  | 'bad_signature'
  | 'missing_claim'
  | 'bad_scope_claim'
  | 'sender_constrained'
  | 'not_sender_constrained'
  | 'revoked'
  | 'invalid';

/** RFC 6750 §3.1 invalid_token: expired, revoked, malformed or otherwise unacceptable. */
export class InvalidTokenError extends Error {
  override readonly name = 'InvalidTokenError';
  readonly code = 'invalid_token';
  constructor(
    readonly reason: InvalidTokenReason,
    options?: { cause?: unknown },
  ) {
    super(`invalid access token: ${reason}`, options);
  }

  /** The short description clients see. */
  get description(): string {
    if (this.reason === 'expired') return 'The access token expired';
    if (this.reason === 'revoked') return 'The access token was revoked';
    return 'The access token is invalid';
  }
}

/** RFC 6750 §3.1 insufficient_scope: the token is fine but lacks scopes the call needs. */
export class InsufficientScopeError extends Error {
  override readonly name = 'InsufficientScopeError';
  readonly code = 'insufficient_scope';
  /** Every scope the call needs (not only the missing ones), so one consent covers it. */
  constructor(readonly requiredScopes: readonly string[]) {
    super(`insufficient scope: needs ${requiredScopes.join(' ')}`);
  }

  get description(): string {
    return 'The access token lacks a scope this call needs';
  }
}

/** No credentials where credentials are required (RFC 6750 §3.1: no error code in the challenge). */
export class AuthenticationRequiredError extends Error {
  override readonly name = 'AuthenticationRequiredError';
  /**
   * Scopes to suggest in the challenge; empty means "any valid token". `description` defaults to
   * the per-tool wording; a refusal of the connection itself (strict mode) says so instead.
   */
  constructor(
    readonly requiredScopes: readonly string[],
    readonly description = 'Sign in to use this tool',
  ) {
    super('authentication required');
  }
}

/** RFC 6750 §3.1 invalid_request: a token in the wrong place or a malformed Authorization header. */
export class InvalidAuthRequestError extends Error {
  override readonly name = 'InvalidAuthRequestError';
  readonly code = 'invalid_request';
  constructor(readonly description: string) {
    super(`invalid request: ${description}`);
  }
}

/** Why a DPoP proof was refused (RFC 9449 §4.3, §11.1). Logged, never sent. */
export type InvalidDpopProofReason =
  | 'missing'
  | 'multiple'
  | 'too_long'
  | 'malformed'
  | 'typ_mismatch'
  | 'alg_not_allowed'
  | 'bad_signature'
  | 'missing_claim'
  | 'bad_jti'
  | 'htm_mismatch'
  | 'htu_mismatch'
  | 'iat_out_of_window'
  | 'ath_mismatch'
  | 'jkt_mismatch'
  | 'replayed';

/** RFC 9449 §7.1 invalid_dpop_proof: the DPoP proof is missing, malformed, stale, replayed or not for this request. */
export class InvalidDpopProofError extends Error {
  override readonly name = 'InvalidDpopProofError';
  readonly code = 'invalid_dpop_proof';
  constructor(
    readonly reason: InvalidDpopProofReason,
    options?: { cause?: unknown },
  ) {
    super(`invalid DPoP proof: ${reason}`, options);
  }

  get description(): string {
    if (this.reason === 'missing') return 'A DPoP proof is required with a DPoP access token';
    if (this.reason === 'replayed') return 'The DPoP proof was already used';
    return 'The DPoP proof is invalid';
  }
}

/** The authorization server's keys cannot be obtained (never had them): not the client's fault. */
export class KeysUnavailableError extends Error {
  override readonly name = 'KeysUnavailableError';
  constructor(options?: { cause?: unknown }) {
    super('authorization server keys are unavailable', options);
  }
}

export type AuthError =
  | InvalidTokenError
  | InsufficientScopeError
  | AuthenticationRequiredError
  | InvalidAuthRequestError
  | InvalidDpopProofError;

export function isAuthError(error: unknown): error is AuthError {
  return (
    error instanceof InvalidTokenError ||
    error instanceof InsufficientScopeError ||
    error instanceof AuthenticationRequiredError ||
    error instanceof InvalidAuthRequestError ||
    error instanceof InvalidDpopProofError
  );
}
