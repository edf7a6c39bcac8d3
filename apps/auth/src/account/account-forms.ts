import type { PrismaClient, User } from '@omnichat/db';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type Provider from 'oidc-provider';
import { errors } from 'oidc-provider';

import type { AuthConfig } from '../config.js';
import { newNonce, nonceCookie, nonceFromCookies, type FormCsrf } from '../forms/csrf.js';
import { assertSameOrigin, type Form } from '../forms/form-guard.js';
import { pageHeaders } from '../views/layout.js';
import { currentSession } from './session.js';

/**
 * What every /account/* form route needs (the account page, password, authenticator app,
 * passkeys): the page headers, the CSRF token bound to this browser's nonce
 * cookie (set on first sight), the same-origin + token check, and the signed-in user.
 */
export function accountForms(config: AuthConfig, deps: { provider: Provider; prisma: PrismaClient; csrf: FormCsrf }) {
  const secure = new URL(config.issuer).protocol === 'https:';
  const csrf = deps.csrf.account;
  return {
    sendPage: (reply: FastifyReply, status: number, body: string) => reply.code(status).headers(pageHeaders(config.branding)).send(body),
    redirect: (reply: FastifyReply, location: string) => reply.code(303).header('location', location).header('cache-control', 'no-store').send(),
    /** The nonce of this browser's account_csrf cookie, set when missing. */
    nonce(request: FastifyRequest, reply: FastifyReply): string {
      let nonce = nonceFromCookies(request.headers.cookie);
      if (!nonce) {
        nonce = newNonce();
        reply.header('set-cookie', nonceCookie(nonce, secure));
      }
      return nonce;
    },
    csrfFor(request: FastifyRequest, reply: FastifyReply): string {
      return csrf.token(this.nonce(request, reply));
    },
    tokenFor: (nonce: string) => csrf.token(nonce),
    assertFormPost(request: FastifyRequest<{ Body: Form }>): void {
      assertSameOrigin(request.headers.origin, config.issuer);
      if (!csrf.valid(nonceFromCookies(request.headers.cookie), request.body?.csrf)) {
        throw new errors.InvalidRequest('missing or invalid CSRF token');
      }
    },
    /** The signed-in, enabled user and their session id, or undefined. */
    async signedIn(request: FastifyRequest, reply: FastifyReply): Promise<{ user: User; sessionId: string } | undefined> {
      const session = await currentSession(deps.provider, { req: request.raw, res: reply.raw });
      const user = session?.accountId ? await deps.prisma.user.findUnique({ where: { id: session.accountId } }) : null;
      return user && !user.disabledAt ? { user, sessionId: (session as unknown as { id: string }).id } : undefined;
    },
  };
}

export type AccountForms = ReturnType<typeof accountForms>;
