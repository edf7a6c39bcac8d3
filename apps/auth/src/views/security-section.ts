import { html, type SafeHtml } from './html.js';
import { passkeyForm, type PasskeyRequest } from './passkey-form.js';

export type PasskeyRow = { id: string; name: string; createdAt: Date; lastUsedAt: Date | null };

const DATE_FORMAT = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' });
const when = (date: Date) => html`<time datetime="${date.toISOString()}">${DATE_FORMAT.format(date)} UTC</time>`;

/** The account page's "Sign-in and security": password, authenticator app, recovery codes, passkeys. */
export function securitySection(input: { csrf: string; totpSince: Date | null; recoveryCodesLeft: number; passkeys: PasskeyRow[]; addPasskey: PasskeyRequest; required: boolean }): SafeHtml {
  const hidden = html`<input type="hidden" name="csrf" value="${input.csrf}">`;
  return html`<h2>Sign-in and security</h2>
<div class="section-actions"><a class="btn btn-secondary btn-inline" href="/account/password">Change password</a></div>
${input.required ? html`<p class="small">Your account must keep a second factor: an authenticator app or a passkey.</p>` : ''}
<h3>Authenticator app</h3>
${input.totpSince
  ? html`<p class="small">Set up <span>${when(input.totpSince)}</span>. ${input.recoveryCodesLeft} of 10 recovery codes left.</p>
<div class="section-actions"><form method="post" action="/account/recovery-codes">${hidden}<button class="btn btn-secondary btn-inline" type="submit">New recovery codes</button></form>
<form method="post" action="/account/totp/remove">${hidden}<button class="btn btn-danger btn-inline" type="submit">Remove authenticator app</button></form></div>`
  : html`<div class="section-actions"><a class="btn btn-secondary btn-inline" href="/account/totp">Set up an authenticator app</a></div>`}
<h3>Passkeys</h3>
${input.passkeys.length === 0
  ? html`<p class="small">No passkeys yet. A passkey signs you in with your fingerprint, face or device PIN, without a password.</p>`
  : html`<ul class="factors" aria-label="Passkeys">${input.passkeys.map((p) => html`<li>
<div class="app-head"><span class="app-name">${p.name}</span>
<form method="post" action="/account/passkeys/remove">${hidden}<input type="hidden" name="id" value="${p.id}"><button class="btn btn-danger btn-inline" type="submit" aria-label="Remove passkey ${p.name}">Remove</button></form></div>
<dl class="dates"><dt>Created</dt><dd>${when(p.createdAt)}</dd><dt>Last used</dt><dd>${p.lastUsedAt ? when(p.lastUsedAt) : 'Not yet'}</dd></dl>
</li>`)}</ul>`}
${passkeyForm({ mode: 'create', action: '/account/passkeys', csrf: input.csrf, request: input.addPasskey, label: 'Add a passkey' })}`;
}
