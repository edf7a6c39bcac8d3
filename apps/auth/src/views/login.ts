import type { Branding } from './branding.js';
import { html, type SafeHtml } from './html.js';
import { page } from './layout.js';
import { OR_DIVIDER, ssoButtons, type SsoButton } from './sso.js';

export type LoginPageInput = {
  branding: Branding;
  /** Where the form posts (an interaction's /login, or /account/login). */
  action: string;
  /** Shown under the heading: which app the user is signing in to. */
  context: SafeHtml | string;
  csrf: string;
  /** A Cancel button posting here (an interaction's /abort), when there is something to cancel. */
  cancelAction?: string | undefined;
  email?: string | undefined;
  error?: string | undefined;
  /** "Continue with <IdP>" buttons (views/sso.ts), above the password form. */
  providers?: SsoButton[] | undefined;
  /** The email + password form; false when PASSWORD_SIGN_IN=false. */
  password?: boolean | undefined;
  /** Other ways in, below the password form (passkeys/sign-in-block.ts: `Sign in with a passkey`). */
  alternatives?: SafeHtml | undefined;
};

/**
 * The sign-in form. Labels are real <label>s, the error is announced (role=alert) and linked to
 * the fields (aria-describedby), focus order is the IdP buttons → email → password → Show → Sign in
 * → Cancel. The email field's `webauthn` autocomplete token lets the browser list passkeys in its
 * autofill when the page starts a conditional request (views/passkey-script.ts).
 */
export function loginPage(input: LoginPageInput): string {
  const described = input.error ? 'signin-error' : undefined;
  const providers = input.providers ?? [];
  const password = input.password ?? true;
  return page({
    title: 'Sign in',
    branding: input.branding,
    withScript: password,
    body: html`<h1>Sign in</h1>
<p class="lead">${input.context}</p>
${input.error ? html`<p class="alert" id="signin-error" role="alert">${input.error}</p>` : ''}
${providers.length > 0 ? ssoButtons(providers, input.csrf) : ''}
${providers.length > 0 && password ? OR_DIVIDER : ''}
${password ? html`<form method="post" action="${input.action}" class="stack" novalidate>
<input type="hidden" name="csrf" value="${input.csrf}">
<label for="email">Email</label>
<input id="email" name="email" type="email" inputmode="email" autocomplete="username webauthn" autocapitalize="none" spellcheck="false" required maxlength="320" value="${input.email ?? ''}"${described ? html` aria-describedby="${described}"` : ''}${input.email ? '' : html` autofocus`}>
<label for="password">Password</label>
<div class="field">
<input id="password" name="password" type="password" autocomplete="current-password" required maxlength="1024"${described ? html` aria-describedby="${described}"` : ''}${input.email ? html` autofocus` : ''}>
<button class="reveal" type="button" data-reveal aria-controls="password" aria-label="Show password" hidden>Show</button>
</div>
<button class="btn btn-primary" type="submit">Sign in</button>
</form>` : ''}
${!password && providers.length === 0 ? html`<p class="warn">No way to sign in is set up here yet. Ask your administrator.</p>` : ''}
${input.alternatives ?? ''}
${input.cancelAction ? html`<form method="post" action="${input.cancelAction}"><input type="hidden" name="csrf" value="${input.csrf}"><button class="btn btn-secondary cancel" type="submit">Cancel</button></form>` : ''}`,
  });
}
