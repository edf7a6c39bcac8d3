import { html } from './html.js';
import { page } from './layout.js';

const FRIENDLY: Record<string, string> = {
  invalid_redirect_uri: 'The app asked to send you back to an address it did not register, so we stopped here.',
  invalid_client: 'We do not recognise the app that sent you here.',
  invalid_request: 'The app sent an incomplete or malformed request.',
  invalid_target: 'The app asked for access to a service we do not protect.',
  session_not_found: 'This sign-in link has expired or was opened in another browser.',
  server_error: 'Something went wrong on our side. Please try again.',
};

/** A friendly, escaped error page: the error code and description, never a stack (AS-72). */
export function errorPage(input: { brand: string; error: string; description?: string }): string {
  return page({
    title: 'Something went wrong',
    brand: input.brand,
    body: html`<h1>We could not continue</h1>
<p class="sub">${FRIENDLY[input.error] ?? 'The request could not be completed.'}</p>
<p class="note">Error: <code>${input.error}</code>${input.description ? html` — ${input.description}` : ''}</p>
<p class="note">Go back to the app and start again.</p>`,
  });
}
