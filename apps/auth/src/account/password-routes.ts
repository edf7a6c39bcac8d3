import type { PrismaClient } from '@omnichat/db';
import type { FastifyInstance } from 'fastify';
import type Provider from 'oidc-provider';
import { errors } from 'oidc-provider';

import { audit } from '@omnichat/audit';
import type { AuthConfig } from '../config.js';
import type { FormCsrf } from '../forms/csrf.js';
import { acceptForms, type Form } from '../forms/form-guard.js';
import { throttledMessage, type LoginThrottle } from '../limits/login-throttle.js';
import { changePasswordPage, passwordSetPage, resetLinkInvalidPage, setPasswordPage } from '../views/password-pages.js';
import { accountForms } from './account-forms.js';
import { revokeGrants } from '@omnichat/db/oidc-store';

import { changePassword, endOtherSessions, MIN_PASSWORD_LENGTH, newPasswordProblem, resetPassword, resetTokenUser } from './password.js';

type Deps = { provider: Provider; prisma: PrismaClient; csrf: FormCsrf; loginThrottle?: LoginThrottle | undefined; clock?: (() => Date) | undefined };

/**
 * Self-service passwords: `/account/password` (signed in; the current password is required, other
 * sessions end, connected apps stay unless asked) and `/account/reset/<token>` (an admin's
 * single-use link). The reset GET is not access-logged at info: its path carries the token.
 */
export async function passwordRoutes(app: FastifyInstance, config: AuthConfig, deps: Deps): Promise<void> {
  const { prisma } = deps;
  const now = () => (deps.clock ?? (() => new Date()))();
  const forms = accountForms(config, deps);

  await app.register(async (scope) => {
    acceptForms(scope);

    scope.get('/account/password', async (request, reply) => {
      const csrf = forms.csrfFor(request, reply);
      const signed = await forms.signedIn(request, reply);
      if (!signed) return forms.redirect(reply, '/account');
      return forms.sendPage(reply, 200, changePasswordPage({ branding: config.branding, email: signed.user.email, csrf, minLength: MIN_PASSWORD_LENGTH }));
    });

    scope.post<{ Body: Form }>('/account/password', async (request, reply) => {
      forms.assertFormPost(request);
      const csrf = forms.csrfFor(request, reply);
      const signed = await forms.signedIn(request, reply);
      if (!signed) return forms.redirect(reply, '/account');
      const { user, sessionId } = signed;
      const again = (status: number, error: string) =>
        forms.sendPage(reply, status, changePasswordPage({ branding: config.branding, email: user.email, csrf, minLength: MIN_PASSWORD_LENGTH, error }));
      const problem = newPasswordProblem(request.body.password ?? '', request.body.confirm ?? '');
      if (problem) return again(400, problem);
      // The current password is guessed like a sign-in: the same backoff applies (AS-53).
      const waitSeconds = (await deps.loginThrottle?.waitSeconds(user.email, request.ip)) ?? 0;
      if (waitSeconds > 0) {
        reply.header('retry-after', String(waitSeconds));
        return again(429, throttledMessage(waitSeconds));
      }
      if (!(await changePassword(prisma, user.id, request.body.current ?? '', request.body.password ?? ''))) {
        await deps.loginThrottle?.failed(user.email, request.ip);
        request.log.info('password change refused: current password wrong');
        return again(401, 'Your current password is not right.');
      }
      await deps.loginThrottle?.succeeded(user.email);
      const sessionsEnded = await endOtherSessions(prisma, user.id, sessionId);
      audit(request.log, { event: 'user.password_changed', accountId: user.id, by: 'user' });
      if (request.body.disconnect_apps === '1') {
        const revoked = await revokeGrants(prisma, { accountId: user.id }, { log: request.log, by: 'user' });
        request.log.info({ grants: revoked.length }, 'connected apps revoked by their user');
      }
      request.log.info({ sessionsEnded }, 'password changed by its user');
      return forms.redirect(reply, '/account?done=password');
    });

    // The token is in the path: this route logs at warn and above only, so no line carries it.
    scope.get<{ Params: { token: string } }>('/account/reset/:token', { logLevel: 'warn' }, async (request, reply) => {
      const csrf = forms.csrfFor(request, reply);
      const token = request.params.token;
      if (!(await resetTokenUser(prisma, token, now()))) return forms.sendPage(reply, 410, resetLinkInvalidPage(config.branding));
      return forms.sendPage(reply, 200, setPasswordPage({ branding: config.branding, token, csrf, minLength: MIN_PASSWORD_LENGTH }));
    });

    scope.post<{ Body: Form }>('/account/reset', async (request, reply) => {
      forms.assertFormPost(request);
      const csrf = forms.csrfFor(request, reply);
      const token = request.body.token;
      if (!token) throw new errors.InvalidRequest('token is required');
      const problem = newPasswordProblem(request.body.password ?? '', request.body.confirm ?? '');
      if (problem) {
        if (!(await resetTokenUser(prisma, token, now()))) return forms.sendPage(reply, 410, resetLinkInvalidPage(config.branding));
        return forms.sendPage(reply, 400, setPasswordPage({ branding: config.branding, token, csrf, minLength: MIN_PASSWORD_LENGTH, error: problem }));
      }
      const userId = await resetPassword(prisma, token, request.body.password ?? '', now());
      if (!userId) {
        request.log.info('password reset refused: link unknown, used or expired');
        return forms.sendPage(reply, 410, resetLinkInvalidPage(config.branding));
      }
      audit(request.log, { event: 'user.password_reset', accountId: userId, by: 'user' });
      return forms.sendPage(reply, 200, passwordSetPage(config.branding));
    });
  });
}
