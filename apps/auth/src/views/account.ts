import type { Branding } from './branding.js';
import { html, type SafeHtml } from './html.js';
import { page } from './layout.js';
import type { ConsentScope } from './consent.js';

export type ConnectedApp = {
  clientId: string;
  name: string;
  scopes: ConsentScope[];
  grantedAt: Date;
  lastUsedAt: Date | undefined;
  /** The connection doctor's last attempts of this app, newest first (account/connection-history.ts). */
  attempts?: { at: Date; summary: string; failed: boolean }[];
  /** When the last attempt failed: why, in plain words. */
  problem?: string;
};

const DATE_FORMAT = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' });

function when(date: Date) {
  return html`<time datetime="${date.toISOString()}">${DATE_FORMAT.format(date)} UTC</time>`;
}

/** Fixed messages for the account page's outcomes (never text from the query string). */
export const ACCOUNT_NOTICES = {
  revoked: 'The app was disconnected. Its access and refresh tokens no longer work.',
  password: 'Your password was changed. Your other browsers are signed out.',
  totp_removed: 'The authenticator app was removed.',
  passkey_added: 'The passkey was added. You can sign in with it.',
  passkey_removed: 'The passkey was removed.',
  passkey_failed: 'The passkey could not be added. Try again.',
  factor_required: 'Your account must keep a second factor: add another one before removing this one.',
} as const;

export type AccountNotice = keyof typeof ACCOUNT_NOTICES;

/** How the account signs in: shown so a person knows which providers lead to it. */
export type AccountSignIn = { password: boolean; providers: { label: string; email: string | null }[] };

/** The app's last connection attempts and, when the last failed, why (the connection doctor). */
function connectionHistory(app: ConnectedApp) {
  if (!app.attempts || app.attempts.length === 0) return '';
  return html`<div class="connections"><p class="small">Recent connections</p>
<ul class="attempts" aria-label="Recent connections of ${app.name}">${app.attempts.map((attempt) => html`<li class="${attempt.failed ? 'failed' : 'ok'}">${when(attempt.at)}: ${attempt.summary}</li>`)}</ul>
${app.problem ? html`<p class="problem" role="note"><strong>Why the last connection failed:</strong> ${app.problem}</p>` : ''}</div>`;
}

export function accountPage(input: { branding: Branding; email: string; csrf: string; apps: ConnectedApp[]; notice?: AccountNotice | undefined; signIn?: AccountSignIn | undefined; security?: SafeHtml | undefined; withScript?: boolean | undefined }): string {
  const hidden = html`<input type="hidden" name="csrf" value="${input.csrf}">`;
  return page({
    title: 'Your account',
    branding: input.branding,
    wide: true,
    withScript: input.withScript ?? false,
    body: html`<div class="page-head"><div><h1>Your account</h1><p class="lead">Signed in as <strong>${input.email}</strong></p></div>
<form method="post" action="/account/logout">${hidden}<button class="btn btn-secondary btn-inline" type="submit">Sign out</button></form></div>
${input.notice ? html`<p class="notice" role="status">${ACCOUNT_NOTICES[input.notice]}</p>` : ''}
<h2>Connected apps</h2>
${input.apps.length === 0
  ? html`<p class="empty">No apps are connected to your account.</p>`
  : html`<ul class="apps">${input.apps.map((app) => html`<li>
<div class="app-head"><span class="app-name">${app.name}</span>
<form method="post" action="/account/revoke">${hidden}<input type="hidden" name="client_id" value="${app.clientId}"><button class="btn btn-danger btn-inline" type="submit" aria-label="Revoke access for ${app.name}">Revoke</button></form></div>
<ul class="chips" aria-label="Allowed">${app.scopes.map((s) => html`<li title="${s.scope}">${s.description}</li>`)}</ul>
<dl class="dates"><dt>Connected</dt><dd>${when(app.grantedAt)}</dd><dt>Last used</dt><dd>${app.lastUsedAt ? when(app.lastUsedAt) : 'Not yet'}</dd></dl>
${connectionHistory(app)}
</li>`)}</ul>`}
<p class="small">Revoking disconnects the app at once: it must ask you again before it can use your account.</p>
${input.signIn ? html`<h2>How you sign in</h2>
<ul class="methods">${input.signIn.password ? html`<li>Email and password</li>` : ''}${input.signIn.providers.map((idp) => html`<li>${idp.label}${idp.email ? html` <span class="meta">(${idp.email})</span>` : ''}</li>`)}</ul>` : ''}
${input.security ?? ''}`,
  });
}
