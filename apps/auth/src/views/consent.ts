import { html } from './html.js';
import { page } from './layout.js';

export type ConsentScope = { scope: string; description: string };

export function consentPage(input: {
  brand: string;
  uid: string;
  csrf: string;
  clientName: string;
  redirectHost: string;
  email: string;
  scopes: ConsentScope[];
}): string {
  return page({
    title: 'Allow access',
    brand: input.brand,
    body: html`<h1>${input.clientName} wants to access your account</h1>
<p class="sub">Signed in as ${input.email}. After you choose, you go back to <strong>${input.redirectHost}</strong>.</p>
${input.scopes.length > 0
  ? html`<p>It will be able to:</p><ul class="scopes">${input.scopes.map((s) => html`<li>${s.description} <code>${s.scope}</code></li>`)}</ul>`
  : html`<p>It asks only to confirm who you are.</p>`}
<p class="note">This app registered itself; ${input.brand} has not reviewed it. Allow only apps you trust.</p>
<div class="row">
<form method="post" action="/interaction/${input.uid}/abort" style="flex:1;display:flex"><input type="hidden" name="csrf" value="${input.csrf}"><button class="secondary" type="submit" style="flex:1">Deny</button></form>
<form method="post" action="/interaction/${input.uid}/confirm" style="flex:1;display:flex"><input type="hidden" name="csrf" value="${input.csrf}"><button class="primary" type="submit" style="flex:1;margin-top:0">Allow</button></form>
</div>`,
  });
}
