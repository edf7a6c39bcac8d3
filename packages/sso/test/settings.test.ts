import { SealedSecretError } from '@omnichat/secrets';
import { describe, expect, it } from 'vitest';

import { emailDomain, issuerProblem, openClientSecret, parseIdpSettings, sealClientSecret, ssoRedirectUri } from '../src/index.js';

const SECRET = 'sso-test-key-encryption-secret-0123456789';

describe('issuer rule', () => {
  it.each([
    ['https://accounts.google.com', false, undefined],
    ['https://login.microsoftonline.com/0000-tenant/v2.0', true, undefined],
    ['http://127.0.0.1:8080', false, undefined],
    ['http://localhost:8080/realms/corp', false, undefined],
    ['http://[::1]:9000', false, undefined],
    ['http://127.0.0.1:8080', true, /NODE_ENV=production/],
    ['http://idp.example.com', false, /plain http is accepted only for a loopback/],
    ['http://10.0.0.5', false, /plain http is accepted only for a loopback/],
    ['ftp://idp.example.com', false, /https URL/],
    ['https://idp.example.com/?tenant=x', false, /query or fragment/],
    ['https://user:pw@idp.example.com', false, /credentials/],
    ['idp.example.com', false, /not a URL/],
  ] as const)('%s (production %s)', (issuer, production, problem) => {
    const found = issuerProblem(issuer, { production });
    if (problem === undefined) expect(found).toBeUndefined();
    else expect(found).toMatch(problem);
  });
});

describe('IdP settings', () => {
  const base = { slug: 'corp', issuer: 'https://idp.example.com', clientId: 'abc' };

  it('defaults the label to the name, scopes to openid email profile, JIT on, any domain', () => {
    expect(parseIdpSettings(base, { production: true })).toEqual({ ...base, label: 'corp', scopes: 'openid email profile', jitEnabled: true, allowedDomains: [] });
  });

  it('normalises domains to lower case and drops duplicates', () => {
    expect(parseIdpSettings({ ...base, allowedDomains: ['Example.COM', 'example.com', 'sub.example.org'] }, { production: false }).allowedDomains).toEqual(['example.com', 'sub.example.org']);
  });

  it.each([
    [{ slug: 'Corp' }, /--name/],
    [{ slug: 'has space' }, /--name/],
    [{ slug: '-corp' }, /--name/],
    [{ slug: 'a'.repeat(41) }, /--name/],
    [{ clientId: '' }, /--client-id/],
    [{ clientId: 'a b' }, /--client-id/],
    [{ label: 'x'.repeat(61) }, /--label/],
    [{ label: 'bad\u0007' }, /--label/],
    [{ allowedDomains: ['@example.com'] }, /--allow-domain "@example.com"/],
    [{ allowedDomains: ['https://example.com'] }, /--allow-domain/],
    [{ allowedDomains: ['localhost'] }, /--allow-domain/],
    [{ scopes: 'email profile' }, /must include "openid"/],
    [{ scopes: 'openid "quoted"' }, /not a valid scope/],
  ])('refuses %j', (change, reason) => {
    expect(() => parseIdpSettings({ ...base, ...change }, { production: false })).toThrow(reason);
  });

  it('builds the callback URL and reads email domains', () => {
    expect(ssoRedirectUri('https://auth.example.com', 'corp')).toBe('https://auth.example.com/sso/corp/callback');
    expect(emailDomain('Dana@Corp.Example')).toBe('corp.example');
    expect(emailDomain('no-at-sign')).toBeUndefined();
    expect(emailDomain('trailing@')).toBeUndefined();
  });
});

describe('client secret at rest', () => {
  it('opens with the same secret and slug only', () => {
    const sealed = sealClientSecret('the-client-secret', SECRET, 'corp');
    expect(sealed).not.toContain('the-client-secret');
    expect(openClientSecret(sealed, SECRET, 'corp')).toBe('the-client-secret');
    expect(() => openClientSecret(sealed, SECRET, 'other')).toThrow(SealedSecretError);
    expect(() => openClientSecret(sealed, `${SECRET}-changed`, 'corp')).toThrow(SealedSecretError);
  });
});
