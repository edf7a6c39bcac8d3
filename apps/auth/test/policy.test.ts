import { describe, expect, it } from 'vitest';

import { DEFAULT_ALLOWED_REDIRECT_URIS, loadAuthConfig } from '../src/config.js';
import { checkRedirectUri, parseRedirectPatterns } from '../src/policy/redirect-uri.js';
import { canonicalResource } from '../src/policy/resource.js';

const patterns = parseRedirectPatterns(DEFAULT_ALLOWED_REDIRECT_URIS);

describe('redirect URI allow-list', () => {
  it.each([
    'https://chatgpt.com/connector_platform_oauth_redirect',
    'https://chatgpt.com/connector/oauth/cb_0123abcd',
    'https://claude.ai/api/mcp/auth_callback',
    'https://claude.com/api/mcp/auth_callback',
    'http://localhost:33418/callback',
    'http://127.0.0.1:8080/oauth/callback',
    'http://127.0.0.1/callback',
    'http://localhost/callback',
    'http://localhost:6274/oauth/callback',
    'http://[::1]/callback',
    'http://[::1]:33418/oauth/callback',
  ])('accepts %s', (uri) => {
    expect(checkRedirectUri(uri, patterns)).toEqual({ ok: true });
  });

  it.each([
    ['https://evil.example/cb', 'allow-list'],
    ['https://chatgpt.com/connector_platform_oauth_redirect/', 'allow-list'],
    ['https://chatgpt.com/connector_platform_oauth_redirect?x=1', 'allow-list'],
    ['https://chatgpt.com/connector/oauth/a/b', 'allow-list'],
    ['https://chatgpt.com/connector/oauth/', 'allow-list'],
    ['https://chatgpt.com:443/connector_platform_oauth_redirect', 'canonical'],
    ['HTTPS://CHATGPT.COM/connector_platform_oauth_redirect', 'canonical'],
    ['https://chatgpt.com/x/../connector_platform_oauth_redirect', 'canonical'],
    ['https://chatgpt.com@evil.example/connector_platform_oauth_redirect', 'canonical'],
    ['https://user@chatgpt.com/connector_platform_oauth_redirect', 'canonical'],
    ['http://chatgpt.com/connector_platform_oauth_redirect', 'allow-list'],
    ['https://chatgpt.com/connector_platform_oauth_redirect#f', 'fragment'],
    ['https://chatgpt.com/connector/oauth/*', 'wildcards'],
    ['javascript:alert(1)', 'https'],
    ['data:text/html,x', 'https'],
    ['http://localhost.evil.example:8080/cb', 'allow-list'],
    ['not a url', 'absolute'],
  ])('refuses %s (%s)', (uri, reason) => {
    const verdict = checkRedirectUri(uri, patterns);
    expect(verdict.ok).toBe(false);
    expect(verdict.ok ? '' : verdict.reason).toContain(reason);
  });

  it('refuses plain-http patterns for non-loopback hosts at boot', () => {
    expect(() => parseRedirectPatterns(['http://example.com/cb'])).toThrow(/loopback/);
  });
});

describe('resource canonicalisation', () => {
  it.each([
    ['http://localhost:3000/mcp', 'http://localhost:3000/mcp'],
    ['http://localhost:3000/mcp/', 'http://localhost:3000/mcp'],
    ['http://localhost:3000', undefined],
    ['http://LOCALHOST:3000/mcp', undefined],
    ['https://evil.example/mcp', undefined],
  ])('%s → %s', (indicator, expected) => {
    expect(canonicalResource(indicator, 'http://localhost:3000/mcp')).toBe(expected);
  });
});

describe('configuration', () => {
  it('has working defaults outside production', () => {
    const config = loadAuthConfig({});
    expect(config).toMatchObject({ issuer: 'http://localhost:4000', resourceUrl: 'http://localhost:3000/mcp', port: 4000, accessTokenTtlSeconds: 600, usingDevKeySecret: true });
  });

  it.each([
    [{ ISSUER: 'http://localhost:4000/' }, 'ISSUER: ISSUER must not end with "/"'],
    [{ RESOURCE_URL: 'http://localhost:3000/mcp/' }, 'RESOURCE_URL: RESOURCE_URL must be canonical'],
    [{ NODE_ENV: 'production' }, 'KEY_ENCRYPTION_SECRET: required when NODE_ENV=production'],
    [{ NODE_ENV: 'production', KEY_ENCRYPTION_SECRET: 'x'.repeat(40), CIMD_DEV_ALLOW: 'https://127.0.0.1:4555' }, 'CIMD_DEV_ALLOW: is for tests and local development only'],
    [{ CIMD_DEV_ALLOW: 'https://127.0.0.1:4555/path' }, 'is not an origin'],
    [{ ALLOWED_REDIRECT_URIS: 'http://example.com/cb' }, 'only allowed for loopback hosts'],
    [{ LIMIT_TOKEN_PER_CLIENT: 'lots' }, 'LIMIT_TOKEN_PER_CLIENT: "lots" is not a rate'],
  ])('refuses %o with one clear line', (env, message) => {
    expect(() => loadAuthConfig(env)).toThrow(message);
  });
});
