import type { PrismaClient } from '@omnichat/db';
import type { AuthMetrics } from '@omnichat/metrics';
import type { FastifyInstance } from 'fastify';
import type Provider from 'oidc-provider';

import type { AuthConfig } from '../config.js';
import type { FormCsrf } from '../forms/csrf.js';
import type { LoginThrottle } from '../limits/login-throttle.js';
import { passkeySignInBlock } from '../passkeys/sign-in-block.js';
import type { AccountFactors, InteractionFactors } from '../sign-in/deps.js';
import { SSO_AMR } from '../sign-in/amr.js';
import { registrationOptions, relyingParty } from '../passkeys/webauthn.js';
import { securitySection } from '../views/security-section.js';
import { accountFactorRoutes } from './account-routes.js';
import { interactionFactorRoutes } from './interaction-routes.js';
import { accountKey, interactionKey } from './pending.js';
import { mfaRequiredFor } from './policy.js';
import { recoveryCodesLeft } from './recovery-codes.js';
import { secondStep } from './second-step.js';

type Deps = {
  provider: Provider;
  prisma: PrismaClient;
  loginThrottle?: LoginThrottle | undefined;
  csrf: FormCsrf;
  /** A sign-in with a second factor or a passkey is counted where it completes (or fails), here. */
  metrics?: Pick<AuthMetrics, 'signIn'> | undefined;
};

/**
 * Second factors and passkeys, wired in: registers their routes and returns the small hooks the
 * interaction and account routes call (after a right password, before consent, the sign-in
 * page's passkey button, the account page's Security section).
 */
export async function installFactors(app: FastifyInstance, config: AuthConfig, deps: Deps): Promise<{ interaction: InteractionFactors; account: AccountFactors }> {
  const { prisma, provider, metrics } = deps;
  const rp = relyingParty(config.issuer, config.branding.name);
  const step = secondStep(config, { prisma, loginThrottle: deps.loginThrottle, mfaPolicy: config.mfaPolicy, metrics });
  await interactionFactorRoutes(app, config, { provider, prisma, csrf: deps.csrf, step, metrics });
  await accountFactorRoutes(app, config, { provider, prisma, csrf: deps.csrf, step, mfaPolicy: config.mfaPolicy, metrics, loginThrottle: deps.loginThrottle });

  return {
    interaction: {
      afterPassword: (uid, accountId) => step.afterPassword(interactionKey(uid), accountId),
      async beforeConsent(uid, accountId, amr) {
        // Signed in through the company IdP: its own MFA stands for ours.
        if (amr.includes(SSO_AMR)) return undefined;
        const user = await prisma.user.findUnique({ where: { id: accountId } });
        if (!user || !(await step.needsSetup(user))) return undefined;
        // A session from before the policy covered this account: it set up a factor first.
        await step.remember(interactionKey(uid), user.id);
        return 'mfa/setup';
      },
      signInAlternatives: (uid, csrf) => passkeySignInBlock(prisma, rp, `/interaction/${uid}/passkey`, csrf),
    },
    account: {
      afterPassword: (nonce, accountId) => step.afterPassword(accountKey(nonce), accountId),
      signInAlternatives: (csrf) => passkeySignInBlock(prisma, rp, '/account/passkey', csrf),
      async securitySection(userId, csrf) {
        const user = await prisma.user.findUniqueOrThrow({ where: { id: userId } });
        const [totp, passkeys, left, addPasskey] = await Promise.all([
          prisma.totpFactor.findFirst({ where: { userId, confirmedAt: { not: null } } }),
          prisma.passkey.findMany({ where: { userId }, orderBy: { createdAt: 'asc' } }),
          recoveryCodesLeft(prisma, userId),
          registrationOptions(prisma, rp, user),
        ]);
        return securitySection({ csrf, totpSince: totp?.confirmedAt ?? null, recoveryCodesLeft: left, passkeys, addPasskey, required: mfaRequiredFor(config.mfaPolicy, user) });
      },
    },
  };
}
