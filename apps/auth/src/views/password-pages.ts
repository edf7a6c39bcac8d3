import type { Branding } from './branding.js';
import { html } from './html.js';
import { page } from './layout.js';

const errorBlock = (error: string | undefined) => (error ? html`<p class="alert" id="form-error" role="alert">${error}</p>` : '');
const describedBy = (error: string | undefined) => (error ? html` aria-describedby="form-error"` : '');

/** /account/password: the current password, the new one twice, and whether to disconnect apps. */
export function changePasswordPage(input: { branding: Branding; email: string; csrf: string; minLength: number; error?: string | undefined }): string {
  const d = describedBy(input.error);
  return page({
    title: 'Change password',
    branding: input.branding,
    body: html`<h1>Change password</h1>
<p class="lead">For <strong>${input.email}</strong>. Your other browsers are signed out.</p>
${errorBlock(input.error)}
<form method="post" action="/account/password" class="stack" novalidate>
<input type="hidden" name="csrf" value="${input.csrf}">
<input type="text" name="username" autocomplete="username" value="${input.email}" hidden>
<label for="current">Current password</label>
<input id="current" name="current" type="password" autocomplete="current-password" required maxlength="1024" autofocus${d}>
<label for="new-password">New password</label>
<input id="new-password" name="password" type="password" autocomplete="new-password" required minlength="${input.minLength}" maxlength="1024" aria-describedby="new-hint">
<p class="small" id="new-hint">At least ${input.minLength} characters.</p>
<label for="confirm">Repeat the new password</label>
<input id="confirm" name="confirm" type="password" autocomplete="new-password" required maxlength="1024">
<div class="check"><input id="disconnect" name="disconnect_apps" type="checkbox" value="1"><label for="disconnect">Also disconnect every connected app</label></div>
<button class="btn btn-primary" type="submit">Change password</button>
</form>
<p class="small"><a href="/account">Back to your account</a></p>`,
  });
}

/** /account/reset/<token>: the page an admin's reset link opens. */
export function setPasswordPage(input: { branding: Branding; token: string; csrf: string; minLength: number; error?: string | undefined }): string {
  return page({
    title: 'Set a new password',
    branding: input.branding,
    body: html`<h1>Set a new password</h1>
<p class="lead">This link works once. Every browser signed in to your account is signed out.</p>
${errorBlock(input.error)}
<form method="post" action="/account/reset" class="stack" novalidate>
<input type="hidden" name="csrf" value="${input.csrf}">
<input type="hidden" name="token" value="${input.token}">
<label for="new-password">New password</label>
<input id="new-password" name="password" type="password" autocomplete="new-password" required minlength="${input.minLength}" maxlength="1024" autofocus aria-describedby="new-hint"${describedBy(input.error)}>
<p class="small" id="new-hint">At least ${input.minLength} characters.</p>
<label for="confirm">Repeat the new password</label>
<input id="confirm" name="confirm" type="password" autocomplete="new-password" required maxlength="1024">
<button class="btn btn-primary" type="submit">Set password</button>
</form>`,
  });
}

/** A reset link that is unknown, used or expired: one message for all three. */
export function resetLinkInvalidPage(branding: Branding): string {
  return page({
    title: 'Link no longer valid',
    branding,
    body: html`<h1>This link no longer works</h1>
<p class="lead">A password link works once and only until it expires. Ask your administrator for a new one.</p>
<p><a class="btn btn-secondary" href="/account">Go to sign-in</a></p>`,
  });
}

/** After a reset link set the password: every session ended, so sign in again. */
export function passwordSetPage(branding: Branding): string {
  return page({
    title: 'Password set',
    branding,
    body: html`<h1>Your password is set</h1>
<p class="notice" role="status">Sign in with your new password. Every browser that was signed in has been signed out.</p>
<p><a class="btn btn-primary" href="/account">Sign in</a></p>`,
  });
}
