import { html } from './html.js';
import { page } from './layout.js';

export function loginPage(input: { brand: string; uid: string; csrf: string; clientName: string; email?: string; error?: string }): string {
  return page({
    title: 'Sign in',
    brand: input.brand,
    body: html`<h1>Sign in</h1><p class="sub">to continue to ${input.clientName}</p>
${input.error ? html`<p class="error" role="alert">${input.error}</p>` : ''}
<form method="post" action="/interaction/${input.uid}/login" autocomplete="on">
<input type="hidden" name="csrf" value="${input.csrf}">
<label for="email">Email</label><input id="email" name="email" type="email" autocomplete="username" required autofocus value="${input.email ?? ''}">
<label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required>
<button class="primary" type="submit">Sign in</button></form>
<form method="post" action="/interaction/${input.uid}/abort"><input type="hidden" name="csrf" value="${input.csrf}">
<button class="secondary" type="submit" style="width:100%;margin-top:12px">Cancel</button></form>`,
  });
}
