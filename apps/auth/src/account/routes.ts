import { revokeGrants } from '@omnichat/db/oidc-store';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { errors } from 'oidc-provider';

import type { AuthConfig } from '../config.js';
import { nonceFromCookies } from '../forms/csrf.js';
import { acceptForms, type Form } from '../forms/form-guard.js';
import { connectedApps } from '../grants/account-grants.js';
import type { AccountFactors, SignInRouteDeps } from '../sign-in/deps.js';
import { passwordSignIn } from '../sign-in/password-sign-in.js';
import { signInPage, type SignInPagePlace } from '../sign-in/sign-in-page.js';
import { accountSsoButtons } from '../sso/buttons.js';
import { signInMethods } from '../sso/sign-in-methods.js';
import { accountPage, ACCOUNT_NOTICES, type AccountNotice } from '../views/account.js';
import { accountForms } from './account-forms.js';
import { LOCAL_AMR } from '../sign-in/amr.js';
import { endSession, startSession } from './session.js';
import { withConnectionHistory } from './connection-history.js';

type Deps = SignInRouteDeps<AccountFactors>;

/**
 * /account: the apps connected to the signed-in account, each with Revoke, and sign out. Signed
 * out, it shows a sign-in form (the same password step as an authorization's,
 * sign-in/password-sign-in.ts). Every form is same-origin with a CSRF token; redirects go only to
 * /account itself.
 */
export async function accountRoutes(app: FastifyInstance, config: AuthConfig, deps: Deps): Promise<void> {
  const { provider, prisma } = deps;
  const branding = config.branding;
  const forms = accountForms(config, deps);
  const signIn = passwordSignIn(config, deps);
  const pages = signInPage(config);

  await app.register(async (scope) => {
    acceptForms(scope);

    const backToAccount = (reply: FastifyReply, notice?: AccountNotice) => forms.redirect(reply, notice ? `/account?done=${notice}` : '/account');

    const signInPlace = (csrf: string): SignInPagePlace => ({
      action: '/account/login',
      context: 'to see and manage the apps connected to your account',
      csrf,
      ssoButtons: () => accountSsoButtons(prisma),
      alternatives: async () => deps.factors?.signInAlternatives(csrf),
    });

    scope.get<{ Querystring: { done?: string; passkey?: string } }>('/account', async (request, reply) => {
      const csrf = forms.csrfFor(request, reply);
      const user = (await forms.signedIn(request, reply))?.user;
      if (!user) {
        const shown = await pages.onGet(signInPlace(csrf), request.query.passkey);
        return forms.sendPage(reply, shown.status, shown.body);
      }
      const done = request.query.done;
      const notice = done && Object.hasOwn(ACCOUNT_NOTICES, done) ? (done as AccountNotice) : undefined;
      const security = await deps.factors?.securitySection(user.id, csrf);
      return forms.sendPage(reply, 200, accountPage({ branding, email: user.email, csrf, apps: await withConnectionHistory(prisma, user.id, await connectedApps(prisma, provider, user.id), config.doctorRetentionHours), notice, signIn: await signInMethods(prisma, user), security, withScript: security !== undefined }));
    });

    scope.post<{ Body: Form }>('/account/login', async (request, reply) => {
      forms.assertFormPost(request);
      const csrf = forms.csrfFor(request, reply);
      return signIn(request, reply, {
        base: '/account',
        logFields: { at: 'account' },
        page: async (status, extra) => forms.sendPage(reply, status, await pages.render(signInPlace(csrf), extra)),
        afterPassword: async (accountId) => {
          const nonce = nonceFromCookies(request.headers.cookie);
          return nonce ? deps.factors?.afterPassword(nonce, accountId) : undefined;
        },
        finish: async (accountId) => {
          await startSession(provider, { req: request.raw, res: reply.raw }, config.issuer, accountId, LOCAL_AMR.password);
          return backToAccount(reply);
        },
      });
    });

    scope.post<{ Body: Form }>('/account/revoke', async (request, reply) => {
      forms.assertFormPost(request);
      const user = (await forms.signedIn(request, reply))?.user;
      if (!user) return backToAccount(reply);
      const clientId = request.body.client_id;
      if (!clientId) throw new errors.InvalidRequest('client_id is required');
      // Every grant this account gave the client, with all of its tokens and codes: refresh tokens
      // stop working at once; the MCP server refuses the grant's access tokens once its row is gone.
      const revoked = await revokeGrants(prisma, { accountId: user.id, clientId }, { log: request.log, by: 'user' });
      request.log.info({ clientId, grants: revoked.length }, 'connected app revoked by its user');
      return backToAccount(reply, 'revoked');
    });

    scope.post<{ Body: Form }>('/account/logout', async (request, reply) => {
      forms.assertFormPost(request);
      await endSession(provider, { req: request.raw, res: reply.raw }, config.issuer);
      return backToAccount(reply);
    });
  });
}
