import { describe, expect, it } from 'vitest';
import {
  RESOURCE_SCOPES,
  SCOPES,
  UnknownScopeError,
  describeScope,
  formatScopes,
  hasScopes,
  missingScopes,
  parseScopes,
} from '@omnichat/scopes';

describe('scope catalogue', () => {
  it('lists the five resource scopes, each with consent text', () => {
    expect(RESOURCE_SCOPES).toEqual(['files:read', 'files:write', 'chat:read', 'chat:write', 'ssh:execute']);
    for (const scope of RESOURCE_SCOPES) expect(SCOPES[scope].description.length).toBeGreaterThan(10);
  });

  it('describes OIDC scopes too', () => {
    expect(describeScope('offline_access')).toMatch(/connected/);
    expect(describeScope('files:read')).toBe(SCOPES['files:read'].description);
  });
});

describe('parseScopes / formatScopes', () => {
  it.each([
    ['files:read', ['files:read']],
    ['files:read chat:write', ['files:read', 'chat:write']],
    ['  openid   files:read  ', ['openid', 'files:read']],
    ['files:read files:read', ['files:read']],
    ['', []],
  ])('parses %j', (input, expected) => {
    expect(parseScopes(input)).toEqual(expected);
  });

  it('treats a missing scope as empty', () => {
    expect(parseScopes(undefined)).toEqual([]);
    expect(parseScopes(null)).toEqual([]);
  });

  it('round-trips through formatScopes', () => {
    const text = 'openid files:read chat:read ssh:execute';
    expect(formatScopes(parseScopes(text))).toBe(text);
  });

  it.each(['admin', 'files:*', 'FILES:READ', 'files:read\u0000', 'files"read', 'ssh:exec'])(
    'rejects the unknown scope %j',
    (token) => {
      expect(() => parseScopes(`files:read ${token}`)).toThrow(UnknownScopeError);
    },
  );
});

describe('subset checks', () => {
  it.each([
    [['files:read', 'chat:read'], ['files:read'], true, []],
    [['files:read'], ['files:read', 'files:write'], false, ['files:write']],
    [[], [], true, []],
    [[], ['ssh:execute'], false, ['ssh:execute']],
  ])('granted %j, required %j', (granted, required, ok, missing) => {
    expect(hasScopes(granted, required)).toBe(ok);
    expect(missingScopes(granted, required)).toEqual(missing);
  });
});
