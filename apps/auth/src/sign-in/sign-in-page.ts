import type { AuthConfig } from '../config.js';
import { PASSKEY_FAILED } from '../passkeys/sign-in-block.js';
import type { SafeHtml } from '../views/html.js';
import { loginPage } from '../views/login.js';
import type { SsoButton } from '../views/sso.js';

/** Where a sign-in page is shown, an oidc-provider interaction or the account page: what differs. */
export type SignInPagePlace = {
  /** Where the password form posts (an interaction's /login, or /account/login). */
  action: string;
  /** A Cancel button posting here (an interaction's /abort); none on the account page. */
  cancelAction?: string | undefined;
  /** The line under the heading: what signing in is for. */
  context: string;
  csrf: string;
  /** This place's "Continue with <IdP>" buttons (sso/buttons.ts). */
  ssoButtons(): Promise<SsoButton[]>;
  /** Passkey sign-in under the password form (mfa/wire.ts); undefined when no factors are wired. */
  alternatives(): Promise<SafeHtml | undefined>;
};

/** What a sign-in page shown again after a post carries: the email typed and what went wrong. */
export type SignInPageExtra = { email?: string; error?: string };

/**
 * The sign-in page, the same wherever one signs in: the branding, the IdP buttons, the password
 * form unless PASSWORD_SIGN_IN=false, and the passkey alternative.
 */
export function signInPage(config: AuthConfig) {
  const render = async (place: SignInPagePlace, extra: SignInPageExtra = {}): Promise<string> =>
    loginPage({
      branding: config.branding,
      action: place.action,
      cancelAction: place.cancelAction,
      context: place.context,
      csrf: place.csrf,
      providers: await place.ssoButtons(),
      password: config.passwordSignIn,
      alternatives: await place.alternatives(),
      ...extra,
    });

  return {
    render,
    /**
     * The page a GET shows. A refused passkey sign-in redirects back with `?passkey=failed`
     * (mfa/interaction-routes.ts, mfa/account-routes.ts): the page again with PASSKEY_FAILED, as a 401.
     */
    async onGet(place: SignInPagePlace, passkey: string | undefined): Promise<{ status: number; body: string }> {
      if (passkey === 'failed') return { status: 401, body: await render(place, { error: PASSKEY_FAILED }) };
      return { status: 200, body: await render(place) };
    },
  };
}
