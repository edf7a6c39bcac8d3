import type { Branding } from './branding.js';
import { html, type SafeHtml } from './html.js';
import { page } from './layout.js';
import { passkeyForm, type PasskeyRequest } from './passkey-form.js';

const errorBlock = (error: string | undefined) => (error ? html`<p class="alert" id="form-error" role="alert">${error}</p>` : '');
const describedBy = (error: string | undefined) => (error ? html` aria-describedby="form-error"` : '');

const codeField = (error: string | undefined, autofocus: boolean) => html`<label for="code">6-digit code</label>
<input id="code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9 ]*" maxlength="8" required${autofocus ? html` autofocus` : ''}${describedBy(error)}>`;

/** After a right password: the code from the authenticator app, a recovery code, or a passkey. */
export function secondFactorPage(input: { branding: Branding; base: string; csrf: string; email: string; totp: boolean; passkey?: PasskeyRequest | undefined; error?: string | undefined; cancelAction?: string | undefined }): string {
  const hidden = html`<input type="hidden" name="csrf" value="${input.csrf}">`;
  return page({
    title: 'Verify it is you',
    branding: input.branding,
    withScript: true,
    body: html`<h1>Verify it is you</h1>
<p class="lead">Password accepted for <strong>${input.email}</strong>. One more step.</p>
${errorBlock(input.error)}
${input.totp ? html`<form method="post" action="${input.base}/mfa" class="stack" novalidate>${hidden}
${codeField(input.error, true)}
<p class="small">From your authenticator app.</p>
<button class="btn btn-primary" type="submit">Verify</button>
</form>` : ''}
${input.passkey ? html`${input.totp ? html`<p class="or">or</p>` : ''}${passkeyForm({ mode: 'get', action: `${input.base}/mfa/passkey`, csrf: input.csrf, request: input.passkey, label: 'Use a passkey', primary: !input.totp })}` : ''}
${input.totp ? html`<details><summary>Use a recovery code</summary>
<form method="post" action="${input.base}/mfa" class="stack" novalidate>${hidden}
<label for="recovery">Recovery code</label>
<input id="recovery" name="recovery_code" type="text" autocomplete="off" autocapitalize="characters" spellcheck="false" maxlength="16" required>
<button class="btn btn-secondary" type="submit">Use recovery code</button>
</form></details>` : ''}
${input.cancelAction ? html`<form method="post" action="${input.cancelAction}">${hidden}<button class="btn btn-secondary cancel" type="submit">Cancel</button></form>` : ''}`,
  });
}

/** Set-up: the QR code (an SVG data URI, allowed by img-src data:) and the secret, then one code. */
export function totpSetupPage(input: { branding: Branding; action: string; csrf: string; email: string; qrDataUri: string; secret: string; required: boolean; error?: string | undefined; back?: SafeHtml | undefined }): string {
  return page({
    title: 'Set up an authenticator app',
    branding: input.branding,
    body: html`<h1>Set up an authenticator app</h1>
${input.required ? html`<p class="warn" role="status">Your account needs a second factor before you can continue.</p>` : ''}
<p class="lead">For <strong>${input.email}</strong>. Scan this code with an authenticator app (Google Authenticator, 1Password, Authy, ...).</p>
<img class="qr" src="${input.qrDataUri}" alt="QR code to scan with your authenticator app" width="208" height="208">
<p class="small" id="secret-label">Cannot scan? Enter this key instead:</p>
<code class="secret" aria-labelledby="secret-label" data-secret>${input.secret}</code>
${errorBlock(input.error)}
<form method="post" action="${input.action}" class="stack" novalidate>
<input type="hidden" name="csrf" value="${input.csrf}">
${codeField(input.error, true)}
<p class="small">Enter the code the app shows to confirm.</p>
<button class="btn btn-primary" type="submit">Confirm</button>
</form>
${input.back ?? ''}`,
  });
}

/** Why recovery codes are shown: they came with a new authenticator app, or they replace the old ones. */
export type RecoveryCodesReason = 'totp_set_up' | 'replaced';

const RECOVERY_CODES_NOTICE: Record<RecoveryCodesReason, string> = {
  totp_set_up: 'The authenticator app is set up.',
  replaced: 'New recovery codes are ready. The old ones no longer work.',
};

/** The ten recovery codes, shown once. `next` continues the sign-in or goes back to /account. */
export function recoveryCodesPage(input: { branding: Branding; codes: string[]; reason: RecoveryCodesReason; next: SafeHtml }): string {
  return page({
    title: 'Your recovery codes',
    branding: input.branding,
    body: html`<h1>Save your recovery codes</h1>
<p class="notice" role="status">${RECOVERY_CODES_NOTICE[input.reason]}</p>
<p class="lead">Each code signs you in once if you lose your phone. Keep them somewhere safe: they are not shown again.</p>
<ul class="codes" aria-label="Recovery codes">${input.codes.map((code) => html`<li>${code}</li>`)}</ul>
${input.next}`,
  });
}

/**
 * Before a change a stolen session must not make (removing the authenticator app or the last
 * passkey, new recovery codes): a fresh code from the app, or the current password. `fields` are
 * posted again with the proof (the passkey's id); only the proofs the account has are offered.
 */
export function confirmItIsYouPage(input: {
  branding: Branding;
  action: string;
  csrf: string;
  fields?: Record<string, string> | undefined;
  what: string;
  submitLabel: string;
  code: boolean;
  password: boolean;
  error?: string | undefined;
}): string {
  const none = !input.code && !input.password;
  return page({
    title: 'Confirm it is you',
    branding: input.branding,
    body: html`<h1>Confirm it is you</h1>
<p class="lead">To ${input.what}, ${none ? 'an administrator has to do it for you.' : input.code && input.password ? 'enter a new code from your authenticator app, or your current password.' : input.code ? 'enter a new code from your authenticator app.' : 'enter your current password.'}</p>
${errorBlock(input.error)}
${none ? html`<p class="small">Ask your administrator to run <code>pnpm admin user:mfa-reset</code> for your account.</p>` : html`<form method="post" action="${input.action}" class="stack" novalidate>
<input type="hidden" name="csrf" value="${input.csrf}">
${Object.entries(input.fields ?? {}).map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`)}
${input.code ? html`<label for="code">6-digit code from your authenticator app</label>
<input id="code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9 ]*" maxlength="8" autofocus${describedBy(input.error)}>` : html`<input type="hidden" name="code" value="">`}
${input.code && input.password ? html`<p class="or">or</p>` : ''}
${input.password ? html`<label for="current-password">Current password</label>
<input id="current-password" name="password" type="password" autocomplete="current-password" maxlength="1024"${input.code ? '' : html` autofocus`}${describedBy(input.error)}>` : html`<input type="hidden" name="password" value="">`}
<button class="btn btn-primary" type="submit">${input.submitLabel}</button>
</form>`}
<p class="small"><a href="/account">Back to your account</a></p>`,
  });
}
