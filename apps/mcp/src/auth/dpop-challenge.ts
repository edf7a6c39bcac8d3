import { formatScopes } from '@omnichat/scopes';
import { quoteChallengeValue } from './bearer-challenge.js';
import type { Challenge } from './challenge-for-error.js';
import { DPOP_ALGORITHMS } from './dpop-proof.js';
import { InsufficientScopeError, InvalidAuthRequestError, type AuthError } from './errors.js';

/**
 * The challenge for a request that used the DPoP scheme (RFC 9449 §7.1): `DPoP` with `error`
 * (`invalid_dpop_proof` for the proof, `invalid_token` / `insufficient_scope` for the token), the
 * `algs` we accept and RFC 9728's `resource_metadata`. Proof and token problems are 401.
 */
export function dpopChallengeForError(error: AuthError, resourceMetadataUrl: string): Challenge {
  const code = 'code' in error ? error.code : 'invalid_token';
  const params: Array<readonly [string, string]> = [
    ['error', code],
    ['error_description', error.description],
    ['algs', DPOP_ALGORITHMS.join(' ')],
    ['resource_metadata', resourceMetadataUrl],
  ];
  if (error instanceof InsufficientScopeError) params.push(['scope', formatScopes(error.requiredScopes)]);
  const header = `DPoP ${params.map(([name, value]) => `${name}=${quoteChallengeValue(value)}`).join(', ')}`;
  const status = error instanceof InsufficientScopeError ? 403 : error instanceof InvalidAuthRequestError ? 400 : 401;
  return { status, header, toolChallenge: header, body: { error: code, error_description: error.description } };
}
