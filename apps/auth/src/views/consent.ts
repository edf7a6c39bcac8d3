import type { Branding } from './branding.js';
import { html } from './html.js';
import { page } from './layout.js';

export type ConsentScope = { scope: string; description: string };

export type ConsentPageInput = {
  branding: Branding;
  uid: string;
  csrf: string;
  clientName: string;
  /** The host of the client_id URL for CIMD clients (the client is who controls that host). */
  clientIdHost?: string | undefined;
  redirectHost: string;
  /** True when the redirect goes to this computer (localhost / 127.0.0.1): MCP-A localhost risks. */
  redirectIsLoopback: boolean;
  email: string;
  scopes: ConsentScope[];
  /** Scopes this account already granted this client (not asked again). */
  alreadyGranted: ConsentScope[];
};

/**
 * The consent screen. Everything the client chose (its name) is escaped; what the user needs to
 * judge it (who asks, where they will be sent, what it may do, as whom) is on the page (AS-43).
 */
export function consentPage(input: ConsentPageInput): string {
  const initial = [...input.email][0]?.toUpperCase() ?? '?';
  const hidden = html`<input type="hidden" name="csrf" value="${input.csrf}">`;
  return page({
    title: 'Allow access',
    branding: input.branding,
    body: html`<h1><span class="client-name">${input.clientName}</span> wants to access your ${input.branding.name} account</h1>
<p class="lead">${input.clientIdHost
  ? html`Identified by <strong>${input.clientIdHost}</strong>. `
  : html`This app registered itself; ${input.branding.name} has not reviewed it. `}After you choose, you will be sent to <strong>${input.redirectHost}</strong>.</p>
${input.redirectIsLoopback ? html`<p class="warn">This app runs on your own computer (${input.redirectHost}). Allow it only if you started it yourself.</p>` : ''}
<div class="who"><span class="avatar" aria-hidden="true">${initial}</span>
<div class="who-text">Signed in as <strong>${input.email}</strong><br>
<form method="post" action="/interaction/${input.uid}/switch">${hidden}<button class="linkish" type="submit">Not you? Switch account</button></form></div></div>
${input.scopes.length > 0
  ? html`<h2>It will be able to</h2><ul class="scopes">${input.scopes.map((s) => html`<li><span>${s.description}<code class="scope-id">${s.scope}</code></span></li>`)}</ul>`
  : html`<h2>It asks only to confirm who you are</h2>`}
${input.alreadyGranted.length > 0
  ? html`<p class="small">You already allowed: ${input.alreadyGranted.map((s, i) => html`${i > 0 ? ', ' : ''}${s.description.toLowerCase()}`)}.</p>`
  : ''}
<p class="small">You can disconnect it at any time from your account page.</p>
<div class="actions">
<form method="post" action="/interaction/${input.uid}/abort">${hidden}<button class="btn btn-secondary" type="submit">Deny</button></form>
<form method="post" action="/interaction/${input.uid}/confirm">${hidden}<button class="btn btn-primary" type="submit">Allow</button></form>
</div>`,
  });
}
