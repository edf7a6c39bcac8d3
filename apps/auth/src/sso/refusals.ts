import type { IdpFailure } from '@omnichat/sso';

import type { PolicyRefusal } from './resolve-account.js';

/** Every way an SSO sign-in can stop short; each has its page and its audit `reason`. */
export type SsoRefusal = IdpFailure | PolicyRefusal | 'bad_state' | 'replayed' | 'expired' | 'cancelled' | 'unknown_provider' | 'rate_limited';

type Explained = { status: number; title: string; text: (idp: string, email: string | undefined) => string };

const UNVERIFIED = (idp: string) => `We could not check that this sign-in really comes from ${idp}, so we stopped. Try again; if it keeps happening, tell your administrator.`;

/** What the person reads. Fixed sentences; only the IdP's label and the asserted email go in (escaped). */
export const SSO_REFUSALS: Record<SsoRefusal, Explained> = {
  bad_state: { status: 400, title: 'This sign-in link is not valid', text: () => 'It was opened in another browser, or it is incomplete. Go back to the app and start again.' },
  replayed: { status: 400, title: 'This sign-in was already used', text: () => 'Each sign-in link works once. Go back to the app and start again.' },
  expired: { status: 400, title: 'This sign-in took too long', text: () => 'It was open for more than 10 minutes. Go back to the app and start again.' },
  cancelled: { status: 400, title: 'Sign-in cancelled', text: (idp) => `You cancelled the sign-in at ${idp}. Nothing was shared.` },
  unknown_provider: { status: 404, title: 'This sign-in option is gone', text: () => 'The administrator removed it. Choose another way to sign in.' },
  rate_limited: { status: 429, title: 'Too many attempts', text: () => 'There were too many failed sign-ins from your network. Wait a few minutes, then try again.' },
  unreachable: { status: 504, title: 'The identity provider is not answering', text: (idp) => `${idp} did not answer in time. Try again in a moment.` },
  idp_error: { status: 502, title: 'The identity provider refused the sign-in', text: (idp) => `${idp} did not complete the sign-in. Try again; if it keeps happening, tell your administrator.` },
  wrong_issuer: { status: 502, title: 'We could not verify your sign-in', text: UNVERIFIED },
  wrong_audience: { status: 502, title: 'We could not verify your sign-in', text: UNVERIFIED },
  wrong_nonce: { status: 502, title: 'We could not verify your sign-in', text: UNVERIFIED },
  expired_id_token: { status: 502, title: 'We could not verify your sign-in', text: UNVERIFIED },
  bad_signature: { status: 502, title: 'We could not verify your sign-in', text: UNVERIFIED },
  no_id_token: { status: 502, title: 'We could not verify your sign-in', text: UNVERIFIED },
  account_disabled: { status: 403, title: 'This account is disabled', text: () => 'An administrator disabled it. Ask them if you think this is a mistake.' },
  unverified_email_link: {
    status: 403,
    title: 'An account with this email already exists',
    text: (idp, email) => `${idp} did not confirm that ${email ?? 'this address'} is yours, so we cannot connect it to the existing account. Sign in with its password, or ask your administrator.`,
  },
  domain_not_allowed: {
    status: 403,
    title: 'This account cannot sign in here',
    text: (idp, email) => `Only some organisations may sign in with ${idp}, and ${email ?? 'your address'} is not one of them. Use your work account, or ask your administrator.`,
  },
  email_unverified: {
    status: 403,
    title: 'Your email address is not verified',
    text: (idp, email) => `${idp} did not confirm ${email ?? 'your email address'}. Verify it there, then try again.`,
  },
  no_email: { status: 403, title: 'No email address was shared', text: (idp) => `${idp} did not tell us your email address, which we need for your account. Allow it at ${idp}, or ask your administrator.` },
  jit_disabled: {
    status: 403,
    title: 'You do not have an account here yet',
    text: (_idp, email) => `There is no account for ${email ?? 'you'}, and new accounts are created by an administrator. Ask them to add you.`,
  },
};
