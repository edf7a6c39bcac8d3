import { normaliseEmail } from '@omnichat/db';
import { revokeGrants } from '@omnichat/db/oidc-store';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { errors } from 'oidc-provider';

import { authenticate } from '../accounts/authenticate.js';
import type { AuthConfig } from '../config.js';
import { acceptForms, assertSameOrigin, type Form } from '../interactions/form-guard.js';
import { BAD_CREDENTIALS, throttledMessage } from '../interactions/login-throttle.js';
import { accountSsoButtons } from '../sso/buttons.js';
import { PASSWORD_SIGN_IN_OFF } from '../sso/password-off.js';
import { signInMethods } from '../sso/sign-in-methods.js';
import { accountPage, ACCOUNT_NOTICES, type AccountNotice } from '../views/account.js';
import { pageHeaders } from '../views/layout.js';
import type { SafeHtml } from '../views/html.js';
import { loginPage } from '../views/login.js';
import { PASSKEY_FAILED } from '../passkeys/sign-in-block.js';
import type { SignInRouteDeps } from '../interactions/sign-in-deps.js';
import { accountCsrfToken, accountCsrfValid, newNonce, nonceCookie, nonceFromCookies } from './csrf.js';
import { withConnectionHistory } from './connection-history.js';
import { connectedApps } from './grants.js';
import { currentSession, endSession, startSession } from './session.js';

type Deps = SignInRouteDeps<AccountFactors>;

/** Hooks of the second factor, passkeys and password self-service (mfa/, passkeys/, account/password*). */
export type AccountFactors = {
  /** After a right password: the step under /account/ to go to (keyed by this browser's nonce), or undefined. */
  afterPassword(nonce: string, accountId: string): Promise<string | undefined>;
  /** Markup offered under the password form (`Sign in with a passkey`). */
  signInAlternatives(csrf: string): Promise<SafeHtml>;
  /** The account page's Security section for a signed-in user. */
  securitySection(userId: string, csrf: string): Promise<SafeHtml>;
};
type FormRequest = FastifyRequest<{ Body: Form }>;

/**
 * /account: the apps connected to the signed-in account, each with Revoke, and sign out. Signed
 * out, it shows a sign-in form (same credentials check and throttle as the consent flow). Every
 * form is same-origin with a CSRF token; redirects go only to /account itself.
 */
export async function accountRoutes(app: FastifyInstance, config: AuthConfig, deps: Deps): Promise<void> {
  const { provider, prisma, csrfKeys } = deps;
  const [csrfKey] = csrfKeys as [Buffer, ...Buffer[]];
  const branding = config.branding;
  const secure = new URL(config.issuer).protocol === 'https:';

  await app.register(async (scope) => {
    acceptForms(scope);

    const sendPage = (reply: FastifyReply, status: number, body: string) => reply.code(status).headers(pageHeaders(branding)).send(body);
    const backToAccount = (reply: FastifyReply, notice?: AccountNotice) =>
      reply.code(303).header('location', notice ? `/account?done=${notice}` : '/account').header('cache-control', 'no-store').send();

    /** The CSRF token for this browser, setting its nonce cookie on first sight. */
    const csrfFor = (request: FastifyRequest, reply: FastifyReply) => {
      let nonce = nonceFromCookies(request.headers.cookie);
      if (!nonce) {
        nonce = newNonce();
        reply.header('set-cookie', nonceCookie(nonce, secure));
      }
      return accountCsrfToken(csrfKey, nonce);
    };

    const assertFormPost = (request: FormRequest) => {
      assertSameOrigin(request.headers.origin, config.issuer);
      if (!accountCsrfValid(csrfKeys, nonceFromCookies(request.headers.cookie), request.body?.csrf)) {
        throw new errors.InvalidRequest('missing or invalid CSRF token');
      }
    };

    const signInPage = async (csrf: string, extra: { email?: string; error?: string } = {}) =>
      loginPage({
        branding,
        action: '/account/login',
        context: 'to see and manage the apps connected to your account',
        csrf,
        providers: await accountSsoButtons(prisma),
        password: config.passwordSignIn,
        alternatives: await deps.factors?.signInAlternatives(csrf),
        ...extra,
      });

    /** The signed-in, enabled user, or undefined. */
    const signedInUser = async (request: FastifyRequest, reply: FastifyReply) => {
      const session = await currentSession(provider, { req: request.raw, res: reply.raw });
      const user = session?.accountId ? await prisma.user.findUnique({ where: { id: session.accountId } }) : null;
      return user && !user.disabledAt ? user : undefined;
    };

    scope.get<{ Querystring: { done?: string; passkey?: string } }>('/account', async (request, reply) => {
      const csrf = csrfFor(request, reply);
      const user = await signedInUser(request, reply);
      if (!user) return request.query.passkey === 'failed' ? sendPage(reply, 401, await signInPage(csrf, { error: PASSKEY_FAILED })) : sendPage(reply, 200, await signInPage(csrf));
      const done = request.query.done;
      const notice = done && Object.hasOwn(ACCOUNT_NOTICES, done) ? (done as AccountNotice) : undefined;
      const security = await deps.factors?.securitySection(user.id, csrf);
      return sendPage(reply, 200, accountPage({ branding, email: user.email, csrf, apps: await withConnectionHistory(prisma, user.id, await connectedApps(prisma, provider, user.id), config.doctorRetentionHours), notice, signIn: await signInMethods(prisma, user), security, withScript: security !== undefined }));
    });

    scope.post<{ Body: Form }>('/account/login', async (request, reply) => {
      assertFormPost(request);
      const email = request.body.email ?? '';
      const csrf = csrfFor(request, reply);
      if (!config.passwordSignIn) return sendPage(reply, 403, await signInPage(csrf, { error: PASSWORD_SIGN_IN_OFF }));
      const throttleKey = normaliseEmail(email);
      const waitSeconds = (await deps.loginThrottle?.waitSeconds(throttleKey, request.ip)) ?? 0;
      if (waitSeconds > 0) {
        deps.metrics?.signIn('rate_limited');
        reply.header('retry-after', String(waitSeconds));
        return sendPage(reply, 429, await signInPage(csrf, { email, error: throttledMessage(waitSeconds) }));
      }
      const accountId = await authenticate(prisma, email, request.body.password ?? '');
      if (!accountId) {
        await deps.loginThrottle?.failed(throttleKey, request.ip);
        deps.metrics?.signIn('bad_credentials');
        request.log.info('account sign-in refused');
        return sendPage(reply, 401, await signInPage(csrf, { email, error: BAD_CREDENTIALS }));
      }
      await deps.loginThrottle?.succeeded(throttleKey);
      deps.metrics?.signIn('succeeded');
      const nonce = nonceFromCookies(request.headers.cookie);
      const factorStep = nonce ? await deps.factors?.afterPassword(nonce, accountId) : undefined;
      if (factorStep) return reply.code(303).header('location', `/account/${factorStep}`).header('cache-control', 'no-store').send();
      await startSession(provider, { req: request.raw, res: reply.raw }, config.issuer, accountId);
      return backToAccount(reply);
    });

    scope.post<{ Body: Form }>('/account/revoke', async (request, reply) => {
      assertFormPost(request);
      const user = await signedInUser(request, reply);
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
      assertFormPost(request);
      await endSession(provider, { req: request.raw, res: reply.raw }, config.issuer);
      return backToAccount(reply);
    });
  });
}
