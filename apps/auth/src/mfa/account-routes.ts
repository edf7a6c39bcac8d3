import type { PrismaClient, User } from '@omnichat/db';
import type { AuthMetrics } from '@omnichat/metrics';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type Provider from 'oidc-provider';

import { accountForms } from '../account/account-forms.js';
import { startSession } from '../account/session.js';
import { audit } from '@omnichat/audit';
import type { AuthConfig } from '../config.js';
import type { FormCsrf } from '../forms/csrf.js';
import { acceptForms, type Form } from '../forms/form-guard.js';
import { registerPasskey, relyingParty, verifyPasskey } from '../passkeys/webauthn.js';
import { html } from '../views/html.js';
import type { LoginThrottle } from '../limits/login-throttle.js';
import { confirmItIsYouPage, recoveryCodesPage, totpSetupPage, type RecoveryCodesReason } from '../views/mfa-pages.js';
import { LOCAL_AMR } from '../sign-in/amr.js';
import { factorsOf, hasFactor } from './factors.js';
import { accountKey } from './pending.js';
import { mfaRequiredFor, type MfaPolicy } from './policy.js';
import { issueRecoveryCodes } from './recovery-codes.js';
import { checkStepUp } from './step-up.js';
import type { Flow, SecondStep } from './second-step.js';
import { beginTotpSetup, verifyTotp } from './totp.js';

type Deps = {
  provider: Provider;
  prisma: PrismaClient;
  csrf: FormCsrf;
  step: SecondStep;
  mfaPolicy: MfaPolicy;
  metrics?: Pick<AuthMetrics, 'signIn'> | undefined;
  loginThrottle?: LoginThrottle | undefined;
};

/**
 * The account page's factors: the second step of an /account sign-in (`/account/mfa*`), signing in
 * with a passkey alone (`/account/passkey`), and for a signed-in user: set up or remove the
 * authenticator app, new recovery codes, add or remove passkeys. Every post is same-origin with
 * the account CSRF token; every change is audited.
 */
export async function accountFactorRoutes(app: FastifyInstance, config: AuthConfig, deps: Deps): Promise<void> {
  const { provider, prisma, step } = deps;
  const forms = accountForms(config, deps);
  const rp = relyingParty(config.issuer, config.branding.name);
  const back = (reply: FastifyReply, notice?: string) => forms.redirect(reply, notice ? `/account?done=${notice}` : '/account');
  const showCodes = (reply: FastifyReply, codes: string[], reason: RecoveryCodesReason) =>
    forms.sendPage(reply, 200, recoveryCodesPage({ branding: config.branding, codes, reason, next: html`<p><a class="btn btn-primary" href="/account">Back to your account</a></p>` }));

  const flowOf = (request: FastifyRequest, reply: FastifyReply): Flow => {
    const nonce = forms.nonce(request, reply);
    return {
    base: '/account',
    key: accountKey(nonce),
    csrf: forms.tokenFor(nonce),
    finish: async (user: User, amr: readonly string[]) => {
      await startSession(provider, { req: request.raw, res: reply.raw }, config.issuer, user.id, amr);
      return back(reply);
    },
    };
  };

  /** Removing this factor would leave a user the policy covers with none. */
  const lastRequiredFactor = async (user: User, removing: 'totp' | 'passkey') => {
    if (!mfaRequiredFor(deps.mfaPolicy, user)) return false;
    const factors = await factorsOf(prisma, user.id);
    const left = removing === 'totp' ? { ...factors, totp: false } : { ...factors, passkeys: factors.passkeys - 1 };
    return !hasFactor(left);
  };

  /**
   * A change a stolen session must not make goes ahead only with a fresh code or the password
   * (mfa/step-up.ts); otherwise this answers with the confirm page (and true is not returned).
   */
  const confirmed = async (request: FastifyRequest<{ Body: Form }>, reply: FastifyReply, user: User, page: { action: string; what: string; submitLabel: string; fields?: Record<string, string> }) => {
    const verdict = await checkStepUp({ prisma, keyEncryptionSecret: config.keyEncryptionSecret, loginThrottle: deps.loginThrottle }, request.log, request.ip, user, request.body);
    if (verdict.kind === 'ok') return true;
    if (verdict.kind === 'refused' && verdict.retryAfter) reply.header('retry-after', String(verdict.retryAfter));
    await forms.sendPage(reply, verdict.kind === 'ask' ? 200 : verdict.status, confirmItIsYouPage({
      branding: config.branding, csrf: forms.csrfFor(request, reply), ...page, ...verdict.proofs, error: verdict.kind === 'refused' ? verdict.error : undefined,
    }));
    return false;
  };

  await app.register(async (scope) => {
    acceptForms(scope);

    scope.get('/account/mfa', async (request, reply) => step.showChallenge(reply, flowOf(request, reply)));
    scope.get('/account/mfa/setup', async (request, reply) => step.showSetup(reply, flowOf(request, reply)));
    scope.post<{ Body: Form }>('/account/mfa', async (request, reply) => {
      forms.assertFormPost(request);
      return step.checkCode(request, reply, flowOf(request, reply));
    });
    scope.post<{ Body: Form }>('/account/mfa/passkey', async (request, reply) => {
      forms.assertFormPost(request);
      return step.checkPasskey(request, reply, flowOf(request, reply));
    });
    scope.post<{ Body: Form }>('/account/mfa/setup', async (request, reply) => {
      forms.assertFormPost(request);
      return step.confirmSetup(request, reply, flowOf(request, reply));
    });
    scope.post<{ Body: Form }>('/account/mfa/done', async (request, reply) => {
      forms.assertFormPost(request);
      return step.done(request, reply, flowOf(request, reply));
    });

    scope.post<{ Body: Form }>('/account/passkey', async (request, reply) => {
      forms.assertFormPost(request);
      const verdict = await verifyPasskey(prisma, rp, request.body);
      if (!verdict.ok) {
        audit(request.log, { event: 'mfa.factor_failed', accountId: verdict.userId, factor: 'passkey', reason: verdict.reason });
        deps.metrics?.signIn('bad_credentials');
        return forms.redirect(reply, '/account?passkey=failed');
      }
      audit(request.log, { event: 'mfa.factor_used', accountId: verdict.userId, factor: 'passkey' });
      audit(request.log, { event: 'sign_in.succeeded', accountId: verdict.userId });
      deps.metrics?.signIn('succeeded');
      await startSession(provider, { req: request.raw, res: reply.raw }, config.issuer, verdict.userId, LOCAL_AMR.passkey);
      return back(reply);
    });

    // Signed in: set up the authenticator app from the account page.
    const setupPage = async (reply: FastifyReply, user: User, csrf: string, status = 200, error?: string) => {
      const setup = await beginTotpSetup(prisma, config.keyEncryptionSecret, user, config.branding.name);
      return forms.sendPage(reply, status, totpSetupPage({
        branding: config.branding, action: '/account/totp', csrf, email: user.email, qrDataUri: setup.qrDataUri, secret: setup.secretBase32, required: false, error,
        back: html`<p class="small"><a href="/account">Back to your account</a></p>`,
      }));
    };

    scope.get('/account/totp', async (request, reply) => {
      const csrf = forms.csrfFor(request, reply);
      const signed = await forms.signedIn(request, reply);
      if (!signed) return back(reply);
      if ((await factorsOf(prisma, signed.user.id)).totp) return back(reply);
      return setupPage(reply, signed.user, csrf);
    });

    scope.post<{ Body: Form }>('/account/totp', async (request, reply) => {
      forms.assertFormPost(request);
      const csrf = forms.csrfFor(request, reply);
      const signed = await forms.signedIn(request, reply);
      if (!signed) return back(reply);
      const { user } = signed;
      if ((await factorsOf(prisma, user.id)).totp) return back(reply);
      const verdict = await verifyTotp(prisma, config.keyEncryptionSecret, user.id, request.body.code ?? '', { pending: true });
      if (verdict !== 'ok') {
        audit(request.log, { event: 'mfa.factor_failed', accountId: user.id, factor: 'totp', reason: verdict });
        return setupPage(reply, user, csrf, 401, 'That code is not right. Check the time on your phone and try the next code.');
      }
      const codes = await issueRecoveryCodes(prisma, user.id);
      audit(request.log, { event: 'mfa.factor_added', accountId: user.id, factor: 'totp', by: 'user' });
      audit(request.log, { event: 'mfa.factor_added', accountId: user.id, factor: 'recovery_code', by: 'user' });
      return showCodes(reply, codes, 'totp_set_up');
    });

    scope.post<{ Body: Form }>('/account/totp/remove', async (request, reply) => {
      forms.assertFormPost(request);
      const signed = await forms.signedIn(request, reply);
      if (!signed) return back(reply);
      if (await lastRequiredFactor(signed.user, 'totp')) return back(reply, 'factor_required');
      if (!(await factorsOf(prisma, signed.user.id)).totp) return back(reply);
      if (!(await confirmed(request, reply, signed.user, { action: '/account/totp/remove', what: 'remove the authenticator app', submitLabel: 'Remove authenticator app' }))) return reply;
      const removed = await prisma.totpFactor.deleteMany({ where: { userId: signed.user.id } });
      await prisma.recoveryCode.deleteMany({ where: { userId: signed.user.id } });
      if (removed.count > 0) audit(request.log, { event: 'mfa.factor_removed', accountId: signed.user.id, factor: 'totp', by: 'user' });
      return back(reply, 'totp_removed');
    });

    scope.post<{ Body: Form }>('/account/recovery-codes', async (request, reply) => {
      forms.assertFormPost(request);
      const signed = await forms.signedIn(request, reply);
      if (!signed) return back(reply);
      if (!(await factorsOf(prisma, signed.user.id)).totp) return back(reply);
      if (!(await confirmed(request, reply, signed.user, { action: '/account/recovery-codes', what: 'replace your recovery codes', submitLabel: 'New recovery codes' }))) return reply;
      const codes = await issueRecoveryCodes(prisma, signed.user.id);
      audit(request.log, { event: 'mfa.factor_added', accountId: signed.user.id, factor: 'recovery_code', by: 'user' });
      return showCodes(reply, codes, 'replaced');
    });

    scope.post<{ Body: Form }>('/account/passkeys', async (request, reply) => {
      forms.assertFormPost(request);
      const signed = await forms.signedIn(request, reply);
      if (!signed) return back(reply);
      const passkey = await registerPasskey(prisma, rp, signed.user.id, request.body);
      if (!passkey) {
        audit(request.log, { event: 'mfa.factor_failed', accountId: signed.user.id, factor: 'passkey', reason: 'bad_assertion' });
        return back(reply, 'passkey_failed');
      }
      audit(request.log, { event: 'mfa.factor_added', accountId: signed.user.id, factor: 'passkey', by: 'user' });
      return back(reply, 'passkey_added');
    });

    scope.post<{ Body: Form }>('/account/passkeys/remove', async (request, reply) => {
      forms.assertFormPost(request);
      const signed = await forms.signedIn(request, reply);
      if (!signed) return back(reply);
      const id = request.body.id ?? '';
      const owned = /^[0-9a-f-]{36}$/.test(id) ? await prisma.passkey.findFirst({ where: { id, userId: signed.user.id } }) : null;
      if (!owned) return back(reply);
      if (await lastRequiredFactor(signed.user, 'passkey')) return back(reply, 'factor_required');
      const lastPasskey = (await factorsOf(prisma, signed.user.id)).passkeys === 1;
      if (lastPasskey && !(await confirmed(request, reply, signed.user, { action: '/account/passkeys/remove', what: `remove your last passkey, ${owned.name}`, submitLabel: `Remove passkey ${owned.name}`, fields: { id } }))) return reply;
      await prisma.passkey.deleteMany({ where: { id, userId: signed.user.id } });
      audit(request.log, { event: 'mfa.factor_removed', accountId: signed.user.id, factor: 'passkey', by: 'user' });
      return back(reply, 'passkey_removed');
    });
  });
}
