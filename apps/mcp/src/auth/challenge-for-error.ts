import { formatScopes } from '@omnichat/scopes';
import { formatBearerChallenge, type ChallengeParams } from './bearer-challenge.js';
import {
  AuthenticationRequiredError,
  InsufficientScopeError,
  InvalidAuthRequestError,
  InvalidTokenError,
  type AuthError,
} from './errors.js';

/**
 * The one mapping from auth errors to what clients see: an HTTP status with a `WWW-Authenticate`
 * header (RFC 6750 §3, RFC 9728 §5.1 `resource_metadata`), or, in mixed mode, a tool result whose
 * `_meta["mcp/www_authenticate"]` holds the challenge (what makes ChatGPT offer "Connect").
 */
export type Challenge = {
  status: 400 | 401 | 403;
  /** For the `WWW-Authenticate` response header. */
  header: string;
  /** For `_meta["mcp/www_authenticate"]` of a tool result (Apps SDK order: metadata first). */
  toolChallenge: string;
  /** RFC 6750 style JSON body for HTTP answers. */
  body: { error: string; error_description: string };
};

export function challengeForError(error: AuthError, resourceMetadataUrl: string): Challenge {
  const metadata = ['resource_metadata', resourceMetadataUrl] as const;
  const scope = (scopes: readonly string[]): ChallengeParams =>
    scopes.length > 0 ? [['scope', formatScopes(scopes)]] : [];

  if (error instanceof AuthenticationRequiredError) {
    // RFC 6750 §3.1: no error code when the request carried no credentials at all.
    return {
      status: 401,
      header: formatBearerChallenge([metadata, ...scope(error.requiredScopes)]),
      toolChallenge: formatBearerChallenge([
        metadata,
        ['error', 'invalid_token'],
        ['error_description', error.description],
        ...scope(error.requiredScopes),
      ]),
      body: { error: 'invalid_token', error_description: error.description },
    };
  }
  const described: ChallengeParams = [
    ['error', error.code],
    ['error_description', error.description],
  ];
  const scopes =
    error instanceof InsufficientScopeError ? scope(error.requiredScopes) : ([] as ChallengeParams);
  const status = error instanceof InvalidAuthRequestError ? 400 : error instanceof InvalidTokenError ? 401 : 403;
  return {
    status,
    header: formatBearerChallenge([...described, metadata, ...scopes]),
    toolChallenge: formatBearerChallenge([metadata, ...described, ...scopes]),
    body: { error: error.code, error_description: error.description },
  };
}
