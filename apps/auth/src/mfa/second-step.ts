import type { PrismaClient, User } from '@omnichat/db';
import type { AuthMetrics } from '@omnichat/metrics';
import type { FastifyReply, FastifyRequest } from 'fastify';

import { audit } from '@omnichat/audit';
import type { AuthConfig } from '../config.js';
import type { Form } from '../forms/form-guard.js';
import { throttledMessage, type LoginThrottle } from '../limits/login-throttle.js';
import { authenticationOptions, relyingParty, verifyPasskey } from '../passkeys/webauthn.js';
import { html } from '../views/html.js';
import { pageHeaders } from '../views/layout.js';
import { recoveryCodesPage, secondFactorPage, totpSetupPage } from '../views/mfa-pages.js';
import { factorsOf, hasFactor } from './factors.js';
import { forgetPending, markSatisfied, pendingUser, rememberPassword, satisfiedUser } from './pending.js';
import { mfaRequiredFor, type MfaPolicy } from './policy.js';
import { LOCAL_AMR } from '../sign-in/amr.js';
import { issueRecoveryCodes, useRecoveryCode } from './recovery-codes.js';
import { beginTotpSetup, verifyTotp } from './totp.js';

export type SecondStepDeps = {
  prisma: PrismaClient;
  loginThrottle?: LoginThrottle | undefined;
  mfaPolicy: MfaPolicy;
  /** omnichat_sign_ins_total: a sign-in with a second factor counts here, once it is complete or refused. */
  metrics?: Pick<AuthMetrics, 'signIn'> | undefined;
};

/**
 * One sign-in waiting for its second factor, wherever it happens: an oidc-provider interaction
 * (`/interaction/<uid>`) or the account page (`/account`). `finish` completes the sign-in the way
 * that place does (interactionFinished, or a new account session).
 */
export type Flow = {
  base: string;
  key: string;
  csrf: string;
  clientId?: string | undefined;
  cancelAction?: string | undefined;
  /** `amr`: how the user signed in (sign-in/amr.ts), for the session and so the ID token. */
  finish(user: User, amr: readonly string[]): Promise<unknown>;
};

type Request = FastifyRequest<{ Body: Form }>;

const BAD_CODE = 'That code is not right. Check the time on your phone, or use a recovery code.';
const REPLAYED = 'That code was already used. Wait for the next one.';

/** The second-factor pages and their checks; routes in interaction-routes.ts and account-routes.ts. */
export function secondStep(config: AuthConfig, deps: SecondStepDeps) {
  const { prisma } = deps;
  const rp = relyingParty(config.issuer, config.branding.name);
  const send = (reply: FastifyReply, status: number, body: string) => reply.code(status).headers(pageHeaders(config.branding)).send(body);
  const seeOther = (reply: FastifyReply, location: string) => reply.code(303).header('location', location).header('cache-control', 'no-store').send();
  const throttleKey = (userId: string) => `mfa:${userId}`;

  const userOf = async (userId: string | undefined) => {
    const user = userId ? await prisma.user.findUnique({ where: { id: userId } }) : null;
    return user && !user.disabledAt ? user : undefined;
  };

  const challengePage = async (reply: FastifyReply, flow: Flow, user: User, status = 200, error?: string) => {
    const factors = await factorsOf(prisma, user.id);
    const passkey = factors.passkeys > 0 ? await authenticationOptions(prisma, rp, user.id) : undefined;
    return send(reply, status, secondFactorPage({ branding: config.branding, base: flow.base, csrf: flow.csrf, email: user.email, totp: factors.totp, passkey, error, cancelAction: flow.cancelAction }));
  };

  const setupPage = async (reply: FastifyReply, flow: Flow, user: User, status = 200, error?: string) => {
    const setup = await beginTotpSetup(prisma, config.keyEncryptionSecret, user, config.branding.name);
    return send(reply, status, totpSetupPage({ branding: config.branding, action: `${flow.base}/mfa/setup`, csrf: flow.csrf, email: user.email, qrDataUri: setup.qrDataUri, secret: setup.secretBase32, required: true, error }));
  };

  return {
    /**
     * After a right password: undefined when the sign-in may finish now, otherwise the step the
     * browser goes to (relative to the flow's base). The password is remembered for this browser.
     */
    async afterPassword(key: string, userId: string): Promise<'mfa' | 'mfa/setup' | undefined> {
      const user = await prisma.user.findUniqueOrThrow({ where: { id: userId } });
      const factors = await factorsOf(prisma, user.id);
      const step = hasFactor(factors) ? 'mfa' : mfaRequiredFor(deps.mfaPolicy, user) ? 'mfa/setup' : undefined;
      if (step) await rememberPassword(prisma, key, user.id);
      return step;
    },

    /** A signed-in session of a user the policy covers, who has no factor yet (a session from before the policy). */
    async needsSetup(user: User): Promise<boolean> {
      return mfaRequiredFor(deps.mfaPolicy, user) && !hasFactor(await factorsOf(prisma, user.id));
    },
    remember: (key: string, userId: string) => rememberPassword(prisma, key, userId),

    async showChallenge(reply: FastifyReply, flow: Flow) {
      const user = await userOf(await pendingUser(prisma, flow.key));
      if (!user) return seeOther(reply, flow.base);
      const factors = await factorsOf(prisma, user.id);
      if (!hasFactor(factors)) return seeOther(reply, `${flow.base}/mfa/setup`);
      return challengePage(reply, flow, user);
    },

    /** A TOTP code or a recovery code, throttled per account and IP like a password (AS-53). */
    async checkCode(request: Request, reply: FastifyReply, flow: Flow) {
      const user = await userOf(await pendingUser(prisma, flow.key));
      if (!user) return seeOther(reply, flow.base);
      const recovery = request.body.recovery_code;
      const factor = recovery !== undefined ? 'recovery_code' : 'totp';
      const waitSeconds = (await deps.loginThrottle?.waitSeconds(throttleKey(user.id), request.ip)) ?? 0;
      if (waitSeconds > 0) {
        audit(request.log, { event: 'mfa.factor_failed', accountId: user.id, factor, reason: 'rate_limited' });
        deps.metrics?.signIn('rate_limited');
        reply.header('retry-after', String(waitSeconds));
        return challengePage(reply, flow, user, 429, throttledMessage(waitSeconds));
      }
      const verdict = recovery !== undefined
        ? ((await useRecoveryCode(prisma, user.id, recovery)) ? 'ok' : 'bad_code')
        : await verifyTotp(prisma, config.keyEncryptionSecret, user.id, request.body.code ?? '');
      if (verdict !== 'ok') {
        await deps.loginThrottle?.failed(throttleKey(user.id), request.ip);
        audit(request.log, { event: 'mfa.factor_failed', accountId: user.id, factor, reason: verdict });
        deps.metrics?.signIn('bad_credentials');
        return challengePage(reply, flow, user, 401, verdict === 'replayed' ? REPLAYED : recovery !== undefined ? 'That recovery code is not right or was already used.' : BAD_CODE);
      }
      await deps.loginThrottle?.succeeded(throttleKey(user.id));
      await forgetPending(prisma, flow.key);
      audit(request.log, { event: 'mfa.factor_used', accountId: user.id, factor, clientId: flow.clientId });
      audit(request.log, { event: 'sign_in.succeeded', accountId: user.id, clientId: flow.clientId });
      deps.metrics?.signIn('succeeded');
      return flow.finish(user, LOCAL_AMR.passwordAndCode);
    },

    /** A passkey as the second factor: only this user's passkeys are accepted. */
    async checkPasskey(request: Request, reply: FastifyReply, flow: Flow) {
      const user = await userOf(await pendingUser(prisma, flow.key));
      if (!user) return seeOther(reply, flow.base);
      const verdict = await verifyPasskey(prisma, rp, request.body, user.id);
      if (!verdict.ok) {
        audit(request.log, { event: 'mfa.factor_failed', accountId: user.id, factor: 'passkey', reason: verdict.reason });
        deps.metrics?.signIn('bad_credentials');
        return challengePage(reply, flow, user, 401, 'That passkey could not be verified. Try again.');
      }
      await forgetPending(prisma, flow.key);
      audit(request.log, { event: 'mfa.factor_used', accountId: user.id, factor: 'passkey', clientId: flow.clientId });
      audit(request.log, { event: 'sign_in.succeeded', accountId: user.id, clientId: flow.clientId });
      deps.metrics?.signIn('succeeded');
      return flow.finish(user, LOCAL_AMR.passwordAndPasskey);
    },

    async showSetup(reply: FastifyReply, flow: Flow) {
      const user = await userOf(await pendingUser(prisma, flow.key));
      if (!user) return seeOther(reply, flow.base);
      if (hasFactor(await factorsOf(prisma, user.id))) return seeOther(reply, `${flow.base}/mfa`);
      return setupPage(reply, flow, user);
    },

    /** Confirms set-up with one code, then shows the recovery codes with Continue. */
    async confirmSetup(request: Request, reply: FastifyReply, flow: Flow) {
      const user = await userOf(await pendingUser(prisma, flow.key));
      if (!user) return seeOther(reply, flow.base);
      if (hasFactor(await factorsOf(prisma, user.id))) return seeOther(reply, `${flow.base}/mfa`);
      const waitSeconds = (await deps.loginThrottle?.waitSeconds(throttleKey(user.id), request.ip)) ?? 0;
      if (waitSeconds > 0) {
        reply.header('retry-after', String(waitSeconds));
        return setupPage(reply, flow, user, 429, throttledMessage(waitSeconds));
      }
      const verdict = await verifyTotp(prisma, config.keyEncryptionSecret, user.id, request.body.code ?? '', { pending: true });
      if (verdict !== 'ok') {
        await deps.loginThrottle?.failed(throttleKey(user.id), request.ip);
        audit(request.log, { event: 'mfa.factor_failed', accountId: user.id, factor: 'totp', reason: verdict });
        return setupPage(reply, flow, user, 401, BAD_CODE);
      }
      const codes = await issueRecoveryCodes(prisma, user.id);
      await markSatisfied(prisma, flow.key);
      audit(request.log, { event: 'mfa.factor_added', accountId: user.id, factor: 'totp', by: 'user' });
      audit(request.log, { event: 'mfa.factor_added', accountId: user.id, factor: 'recovery_code', by: 'user' });
      return send(reply, 200, recoveryCodesPage({
        branding: config.branding,
        codes,
        reason: 'totp_set_up',
        next: html`<form method="post" action="${flow.base}/mfa/done"><input type="hidden" name="csrf" value="${flow.csrf}"><button class="btn btn-primary" type="submit">I saved them, continue</button></form>`,
      }));
    },

    /** Continue after the recovery codes: only a sign-in whose factor was set up in it finishes here. */
    async done(request: Request, reply: FastifyReply, flow: Flow) {
      const user = await userOf(await satisfiedUser(prisma, flow.key));
      if (!user) return seeOther(reply, flow.base);
      await forgetPending(prisma, flow.key);
      audit(request.log, { event: 'sign_in.succeeded', accountId: user.id, clientId: flow.clientId });
      deps.metrics?.signIn('succeeded');
      return flow.finish(user, LOCAL_AMR.passwordAndCode);
    },
  };
}

export type SecondStep = ReturnType<typeof secondStep>;
