import type { PrismaClient } from '@omnichat/db';
import type { AuthMetrics } from '@omnichat/metrics';
import type Provider from 'oidc-provider';

import type { FormCsrf } from '../forms/csrf.js';
import type { LoginThrottle } from '../limits/login-throttle.js';

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
