import type { PrismaClient } from '@omnichat/db';

import { html, type SafeHtml } from '../views/html.js';
import { passkeyForm } from '../views/passkey-form.js';
import { authenticationOptions, type RelyingParty } from './webauthn.js';

/**
 * `Sign in with a passkey` under a sign-in form: discoverable credentials, no email needed; the
 * same request is offered in the email field's autofill where the browser has conditional UI.
 */
export async function passkeySignInBlock(prisma: PrismaClient, rp: RelyingParty, action: string, csrf: string): Promise<SafeHtml> {
  const request = await authenticationOptions(prisma, rp);
  return html`<div class="passkey-block"><p class="or">or</p>${passkeyForm({ mode: 'get', action, csrf, request, label: 'Sign in with a passkey', conditional: true })}</div>`;
}

export const PASSKEY_FAILED = 'That passkey could not be used to sign in. Try again, or use your password.';
