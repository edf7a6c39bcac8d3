import type { Branding } from './branding.js';
import { html, type SafeHtml } from './html.js';
import { page } from './layout.js';

export type SsoButton = { label: string; action: string };

/**
 * One form per identity provider: a POST (with the page's CSRF token) starts the redirect to the
 * IdP, so another site cannot start a sign-in in the user's name. The button's accessible name is
 * "Continue with <label>".
 */
export function ssoButtons(buttons: SsoButton[], csrf: string): SafeHtml {
  return html`<div class="sso">${buttons.map((button) => html`<form method="post" action="${button.action}"><input type="hidden" name="csrf" value="${csrf}"><button class="btn btn-secondary" type="submit">Continue with ${button.label}</button></form>`)}</div>`;
}

/** Between the providers and the password form. */
export const OR_DIVIDER = html`<p class="or" aria-hidden="true">or</p>`;

/** An SSO sign-in that stopped: what happened, and the way back (sign-in again, or cancel the app's request). */
export function ssoRefusedPage(input: {
  branding: Branding;
  title: string;
  text: string;
  code: string;
  /** The sign-in page to return to (the interaction's, or /account). */
  back?: string | undefined;
  /** Ends the app's request with access_denied (the interaction's /abort). */
  cancel?: { action: string; csrf: string } | undefined;
}): string {
  return page({
    title: input.title,
    branding: input.branding,
    body: html`<h1>${input.title}</h1>
<p class="lead" role="alert">${input.text}</p>
${input.back ? html`<a class="btn btn-primary" href="${input.back}">Back to sign-in</a>` : ''}
${input.cancel ? html`<form method="post" action="${input.cancel.action}"><input type="hidden" name="csrf" value="${input.cancel.csrf}"><button class="btn btn-secondary cancel" type="submit">Cancel and return to the app</button></form>` : ''}
<p class="small">Error code: <code>${input.code}</code></p>`,
  });
}
