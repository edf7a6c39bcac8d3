import type { Branding } from './branding.js';
import { html } from './html.js';
import { page } from './layout.js';

/** What each error means for the person reading it; the code stays visible for support. */
const FRIENDLY: Record<string, { title: string; text: string }> = {
  invalid_redirect_uri: {
    title: 'This link is not safe to follow',
    text: 'The app asked to send you back to an address it did not register, so we stopped here. Nothing was shared.',
  },
  invalid_client: { title: 'We do not know this app', text: 'The app that sent you here is not registered with us, or its registration could not be checked.' },
  invalid_client_metadata: { title: 'We do not know this app', text: 'The app that sent you here has an invalid registration.' },
  invalid_request: { title: 'Something is wrong with this request', text: 'The app sent an incomplete or malformed request. Go back to the app and start again.' },
  invalid_target: { title: 'Unknown service', text: 'The app asked for access to a service we do not protect.' },
  session_not_found: { title: 'This sign-in link has expired', text: 'It was open too long, already used, or opened in another browser. Go back to the app and start again.' },
  not_found: { title: 'Page not found', text: 'There is nothing at this address.' },
  server_error: { title: 'Something went wrong on our side', text: 'Please try again in a moment.' },
};

const FALLBACK = { title: 'We could not continue', text: 'The request could not be completed. Go back to the app and start again.' };

/** A friendly, escaped error page: never a stack trace or internal detail (AS-72). */
export function errorPage(input: { branding: Branding; error: string; description?: string | undefined }): string {
  // oidc-provider's SessionNotFound is an invalid_request; its descriptions say which (expired
  // request, missing or mismatched interaction/session cookie).
  const expired = input.error === 'invalid_request' && /session|expired/i.test(input.description ?? '');
  const friendly = FRIENDLY[expired ? 'session_not_found' : input.error] ?? FALLBACK;
  return page({
    title: friendly.title,
    branding: input.branding,
    body: html`<h1>${friendly.title}</h1>
<p class="lead">${friendly.text}</p>
<p class="small">Error code: <code>${input.error}</code>${input.description ? html`<br>${input.description}` : ''}</p>`,
  });
}
