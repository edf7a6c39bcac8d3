import { describe, expect, it } from 'vitest';
import { formatBearerChallenge, quoteChallengeValue } from '../src/auth/bearer-challenge.js';
import { challengeForError } from '../src/auth/challenge-for-error.js';
import {
  AuthenticationRequiredError,
  InsufficientScopeError,
  InvalidAuthRequestError,
  InvalidTokenError,
} from '../src/auth/errors.js';

const PRM = 'https://mcp.example.com/.well-known/oauth-protected-resource/mcp';

describe('quoteChallengeValue (RFC 9110 quoted-string, RFC 6750 §3 character set)', () => {
  it.each([
    ['plain text', 'The access token expired', '"The access token expired"'],
    ['a double quote', 'say "hi"', '"say \\"hi\\""'],
    ['a backslash', 'a\\b', '"a\\\\b"'],
    ['CR LF (header splitting)', 'x\r\nSet-Cookie: a=b', '"x  Set-Cookie: a=b"'],
    ['a parameter smuggled after a quote', 'x", scope="admin', '"x\\", scope=\\"admin"'],
    ['non-ASCII', 'caf\u00e9 \u2028', '"caf   "'],
    ['NUL and DEL', 'a\u0000b\u007fc', '"a b c"'],
    ['empty', '', '""'],
  ])('quotes %s', (_name, input, expected) => {
    expect(quoteChallengeValue(input)).toBe(expected);
  });
});

describe('formatBearerChallenge', () => {
  it('joins parameters in the given order', () => {
    expect(
      formatBearerChallenge([
        ['error', 'invalid_token'],
        ['resource_metadata', PRM],
      ]),
    ).toBe(`Bearer error="invalid_token", resource_metadata="${PRM}"`);
  });

  it('is a bare scheme without parameters', () => {
    expect(formatBearerChallenge([])).toBe('Bearer');
  });

  it.each(['bad name', 'a=b', 'x"y', ''])('refuses the auth-param name %j', (name) => {
    expect(() => formatBearerChallenge([[name, 'v']])).toThrow(TypeError);
  });
});

describe('challengeForError: the one mapping from auth errors to challenges', () => {
  it.each([
    [
      'an invalid token',
      new InvalidTokenError('aud_mismatch'),
      401,
      `Bearer error="invalid_token", error_description="The access token is invalid", resource_metadata="${PRM}"`,
      `Bearer resource_metadata="${PRM}", error="invalid_token", error_description="The access token is invalid"`,
    ],
    [
      'an expired token',
      new InvalidTokenError('expired'),
      401,
      `Bearer error="invalid_token", error_description="The access token expired", resource_metadata="${PRM}"`,
      `Bearer resource_metadata="${PRM}", error="invalid_token", error_description="The access token expired"`,
    ],
    [
      'no token where scopes are needed',
      new AuthenticationRequiredError(['files:read', 'files:write']),
      401,
      `Bearer resource_metadata="${PRM}", scope="files:read files:write"`,
      `Bearer resource_metadata="${PRM}", error="invalid_token", error_description="Sign in to use this tool", scope="files:read files:write"`,
    ],
    [
      'no token where any token will do',
      new AuthenticationRequiredError([]),
      401,
      `Bearer resource_metadata="${PRM}"`,
      `Bearer resource_metadata="${PRM}", error="invalid_token", error_description="Sign in to use this tool"`,
    ],
    [
      'a missing scope',
      new InsufficientScopeError(['files:write']),
      403,
      `Bearer error="insufficient_scope", error_description="The access token lacks a scope this call needs", resource_metadata="${PRM}", scope="files:write"`,
      `Bearer resource_metadata="${PRM}", error="insufficient_scope", error_description="The access token lacks a scope this call needs", scope="files:write"`,
    ],
    [
      'a token in the query string',
      new InvalidAuthRequestError('Send the access token in the Authorization header only'),
      400,
      `Bearer error="invalid_request", error_description="Send the access token in the Authorization header only", resource_metadata="${PRM}"`,
      `Bearer resource_metadata="${PRM}", error="invalid_request", error_description="Send the access token in the Authorization header only"`,
    ],
  ])('maps %s', (_name, error, status, header, toolChallenge) => {
    const challenge = challengeForError(error, PRM);
    expect(challenge.status).toBe(status);
    expect(challenge.header).toBe(header);
    expect(challenge.toolChallenge).toBe(toolChallenge);
  });

  it('never sends the rich reason', () => {
    const challenge = challengeForError(new InvalidTokenError('aud_mismatch'), PRM);
    expect(JSON.stringify(challenge)).not.toContain('aud_mismatch');
  });
});
