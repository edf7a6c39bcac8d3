import { createHash } from 'node:crypto';

import { brandPalette, type Branding } from './branding.js';
import { html, SafeHtml } from './html.js';
import { PASSKEY_SCRIPT } from './passkey-script.js';
import { SHOW_PASSWORD_SCRIPT } from './show-password-script.js';
import { pageStyle } from './style.js';

const cspHash = (source: string) => `'sha256-${createHash('sha256').update(source).digest('base64')}'`;

/**
 * Strict CSP for every page we render (RFC 9700 §4.16, docs/security.md AS-61): nothing loads
 * from elsewhere except the configured logo; the one stylesheet and the one script are inline and
 * allowed by hash, so no injected markup can style or script the page. `form-action` must allow
 * where our forms' redirects lead (browsers check it on the redirect after a form post): the
 * provider sends the user to a registered https or loopback redirect URI.
 */
function contentSecurityPolicy(branding: Branding, style: string): string {
  const logoOrigin = branding.logoUrl?.startsWith('https:') ? new URL(branding.logoUrl).origin : '';
  return [
    "default-src 'none'",
    `style-src ${cspHash(style)}`,
    `script-src ${cspHash(SHOW_PASSWORD_SCRIPT)} ${cspHash(PASSKEY_SCRIPT)}`,
    `img-src data:${logoOrigin ? ` ${logoOrigin}` : ''}`,
    "form-action 'self' https: http://localhost:* http://127.0.0.1:*",
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join('; ');
}

type Built = { style: string; headers: Record<string, string> };
const built = new WeakMap<Branding, Built>();

function build(branding: Branding): Built {
  let result = built.get(branding);
  if (!result) {
    const style = pageStyle(brandPalette(branding.color));
    result = {
      style,
      headers: {
        'content-type': 'text/html; charset=utf-8',
        'content-security-policy': contentSecurityPolicy(branding, style),
        'x-frame-options': 'DENY',
        // Nothing leaves for other origins (the interaction uid is in our paths), yet our own form
        // posts keep a real Origin header: under no-referrer Chromium sends `Origin: null`, which
        // the same-origin check must refuse (AS-56).
        'referrer-policy': 'same-origin',
        'x-content-type-options': 'nosniff',
        'cache-control': 'no-store',
      },
    };
    built.set(branding, result);
  }
  return result;
}

/** Headers for every HTML page: CSP, anti-framing, no cross-origin referrer, never cached. */
export function pageHeaders(branding: Branding): Record<string, string> {
  return build(branding).headers;
}

function brandMark(branding: Branding): SafeHtml {
  return branding.logoUrl
    ? html`<img class="logo" src="${branding.logoUrl}" alt="" width="32" height="32">`
    : html`<span class="mark" aria-hidden="true">${[...branding.name][0]?.toUpperCase() ?? ''}</span>`;
}

/**
 * `withScript` only on pages with a password field or a passkey form: every other page runs no
 * script at all.
 */
export function page(input: { title: string; branding: Branding; body: SafeHtml; wide?: boolean; withScript?: boolean }): string {
  // Our own constant CSS and JS go in unescaped, byte for byte, so their CSP hashes match.
  const { style } = build(input.branding);
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="referrer" content="same-origin"><meta name="robots" content="noindex"><title>${input.title} · ${input.branding.name}</title>
<style>${new SafeHtml(style)}</style></head>
<body><main class="${input.wide ? 'card wide' : 'card'}"><header class="brand">${brandMark(input.branding)}<span>${input.branding.name}</span></header>
${input.body}</main>
<footer class="foot">Secured by ${input.branding.name}. We never share your password with the apps you connect.</footer>
${input.withScript ? html`<script>${new SafeHtml(SHOW_PASSWORD_SCRIPT)}</script><script>${new SafeHtml(PASSKEY_SCRIPT)}</script>` : ''}</body></html>`.value;
}

