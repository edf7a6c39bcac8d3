import type { PrismaClient } from '@omnichat/db';
import type { AuthMetrics } from '@omnichat/metrics';
import type Provider from 'oidc-provider';

import type { FormCsrf } from '../forms/csrf.js';
import type { LoginThrottle } from '../limits/login-throttle.js';
import type { SafeHtml } from '../views/html.js';

/** What both sign-in surfaces (an authorization's interaction, the account page) are built with. */
export type SignInRouteDeps<Factors> = {
  provider: Provider;
  prisma: PrismaClient;
  csrf: FormCsrf;
  loginThrottle?: LoginThrottle | undefined;
  metrics?: Pick<AuthMetrics, 'signIn'> | undefined;
  /** Second-factor and passkey hooks (mfa/wire.ts); absent, sign-in is the password alone. */
  factors?: Factors | undefined;
};

/** How the second factor and passkeys (mfa/, passkeys/) plug into an interaction's sign-in. */
export type InteractionFactors = {
  /** After a right password: the step under /interaction/<uid>/ to go to, or undefined to finish. */
  afterPassword(uid: string, accountId: string): Promise<string | undefined>;
  /** Before consent: a step for a signed-in account that still needs a factor, or undefined. */
  beforeConsent(uid: string, accountId: string, amr: readonly string[]): Promise<string | undefined>;
  /** Markup offered under the password form (`Sign in with a passkey`). */
  signInAlternatives(uid: string, csrf: string): Promise<SafeHtml>;
};

/** How the second factor, passkeys and password self-service plug into the account page's sign-in. */
export type AccountFactors = {
  /** After a right password: the step under /account/ to go to (keyed by this browser's nonce), or undefined. */
  afterPassword(nonce: string, accountId: string): Promise<string | undefined>;
  /** Markup offered under the password form (`Sign in with a passkey`). */
  signInAlternatives(csrf: string): Promise<SafeHtml>;
  /** The account page's Security section for a signed-in user. */
  securitySection(userId: string, csrf: string): Promise<SafeHtml>;
};
