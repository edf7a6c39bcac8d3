import { html, type SafeHtml } from './html.js';

export type PasskeyRequest = { challengeId: string; options: object };

/**
 * A passkey form for views/passkey-script.ts: hidden until the script finds WebAuthn, so a
 * browser without it (or without script) never shows a button that cannot work. `conditional`
 * (the sign-in page's discoverable request): the script also offers the passkeys in the email
 * field's autofill (conditional mediation), with the same challenge.
 */
export function passkeyForm(input: { mode: 'get' | 'create'; action: string; csrf: string; request: PasskeyRequest; label: string; primary?: boolean; conditional?: boolean }): SafeHtml {
  return html`<form method="post" action="${input.action}" data-passkey="${input.mode}"${input.conditional ? html` data-conditional` : ''} data-options="${JSON.stringify(input.request.options)}" class="stack passkey" hidden>
<input type="hidden" name="csrf" value="${input.csrf}">
<input type="hidden" name="challenge_id" value="${input.request.challengeId}">
<input type="hidden" name="credential" value="">
${input.mode === 'create' ? html`<label for="passkey-name">Passkey name (optional)</label>
<input id="passkey-name" name="name" type="text" maxlength="60" autocomplete="off" placeholder="e.g. Work laptop">` : ''}
<button class="btn ${input.primary ? 'btn-primary' : 'btn-secondary'}" type="submit">${input.label}</button>
<p class="alert" data-passkey-status role="alert" tabindex="-1" hidden>The passkey was not used. Try again${input.mode === 'get' ? ', or use another way to sign in' : ''}.</p>
</form>`;
}
