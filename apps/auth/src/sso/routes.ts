import type { IdentityProvider, PrismaClient, SsoLogin } from '@omnichat/db';
import type { RateLimiter } from '@omnichat/limits';
import { failureDetail, idpFailure, ssoRedirectUri } from '@omnichat/sso';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type Provider from 'oidc-provider';
import { errors } from 'oidc-provider';
import * as oidc from 'openid-client';

import { startSession } from '../account/session.js';
import { audit } from '@omnichat/audit';
import { systemClock, type Clock } from '../clock.js';
import type { AuthConfig } from '../config.js';
import { nonceFromCookies, type FormCsrf } from '../forms/csrf.js';
import { acceptForms, assertSameOrigin, type Form } from '../forms/form-guard.js';
import { pageHeaders } from '../views/layout.js';
import { ssoRefusedPage } from '../views/sso.js';
import { claimPendingLogin, clearPendingCookie, recordVerifiedAccount, startPendingLogin, sweepPendingLogins, takeVerifiedAccount } from './pending-login.js';
import { SSO_AMR } from '../sign-in/amr.js';
import { createIdpConfigurations, type IdpConfigurations } from './providers.js';
import { SSO_REFUSALS, type SsoRefusal } from './refusals.js';
import { assertedEmail, resolveAccountOnce, type AssertedIdentity } from './resolve-account.js';


type Deps = {
  provider: Provider;
  prisma: PrismaClient;
  limiter: RateLimiter;
  /** The buttons post from an interaction's sign-in page or from /account's. */
  csrf: FormCsrf;
  clock?: Clock | undefined;
  /** Discovery per IdP; a fresh cache unless a test shares one. */
  configurations?: IdpConfigurations | undefined;
};

const SWEEP_INTERVAL_MS = 10 * 60_000;
/** Reasons that are no one's fault and cost nothing: not counted against the IP's sign-in budget. */
const NOT_A_FAILURE = new Set<SsoRefusal>(['cancelled', 'unreachable', 'rate_limited']);

type Where = { idp?: IdentityProvider | undefined; uid?: string | null | undefined; account?: boolean; clientId?: string | undefined; email?: string | undefined };

/**
 * Sign-in through an upstream OpenID provider (docs/sso.md). A button on the sign-in page posts to
 * `/interaction/<uid>/sso/<slug>` (or `/account/sso/<slug>`), which sends the browser to the IdP
 * with the authorization code flow, PKCE, `state` and `nonce` (openid-client). The IdP returns to
 * `/sso/<slug>/callback`, where the state is checked against this browser and spent, the code
 * redeemed and the ID token validated (issuer, audience, nonce, expiry, signature from the IdP's
 * JWKS), and the account found, linked or created. The browser then goes to
 * `/interaction/<uid>/sso`, which finishes the same oidc-provider interaction with that account:
 * consent, remembered grants and the client's redirect work as after a password.
 * All state is in Postgres (SsoLogin) and a short cookie: any replica serves any step.
 */
export async function ssoRoutes(app: FastifyInstance, config: AuthConfig, deps: Deps): Promise<void> {
  const { provider, prisma, limiter } = deps;
  const clock = deps.clock ?? systemClock;
  const branding = config.branding;
  const secure = new URL(config.issuer).protocol === 'https:';
  const configurations = deps.configurations ?? createIdpConfigurations({ keyEncryptionSecret: config.keyEncryptionSecret, timeoutSeconds: config.sso.timeoutSeconds });

  const sweep = setInterval(() => {
    sweepPendingLogins(prisma, clock()).catch((error: unknown) => app.log.warn({ err: error }, 'SSO sign-in sweep failed'));
  }, SWEEP_INTERVAL_MS);
  sweep.unref();
  app.addHook('onClose', async () => clearInterval(sweep));

  /** The refusal page with its way back, the audit line and (for real failures) the IP's sign-in budget. */
  const refuse = async (request: FastifyRequest, reply: FastifyReply, reason: SsoRefusal, where: Where, detail?: string) => {
    const explained = SSO_REFUSALS[reason];
    const label = where.idp?.label ?? 'the identity provider';
    request.log.info({ provider: where.idp?.slug, reason, ...(detail ? { detail } : {}) }, 'SSO sign-in refused');
    audit(request.log, { event: 'sso.sign_in.failed', provider: where.idp?.slug ?? 'unknown', reason, clientId: where.clientId });
    if (!NOT_A_FAILURE.has(reason)) await limiter.fail(config.limits.loginIp, request.ip);
    const uid = where.uid ?? undefined;
    const body = ssoRefusedPage({
      branding,
      title: explained.title,
      text: explained.text(label, where.email),
      code: reason,
      back: uid ? `/interaction/${uid}` : where.account ? '/account' : undefined,
      cancel: uid ? { action: `/interaction/${uid}/abort`, csrf: deps.csrf.interaction.token(uid) } : undefined,
    });
    return reply.code(explained.status).headers(pageHeaders(branding)).send(body);
  };

  /** Redirects the browser to the IdP for one fresh attempt. */
  const start = async (request: FastifyRequest, reply: FastifyReply, slug: string, where: Where) => {
    const idp = await prisma.identityProvider.findUnique({ where: { slug } });
    if (!idp) return refuse(request, reply, 'unknown_provider', where);
    let discovered: oidc.Configuration;
    try {
      discovered = await configurations(idp);
    } catch (error) {
      const reason = idpFailure(error);
      return refuse(request, reply, reason === 'unreachable' ? 'unreachable' : 'idp_error', { ...where, idp }, failureDetail(error));
    }
    const pending = await startPendingLogin(prisma, { providerId: idp.id, interactionUid: where.uid ?? null, secure, now: clock() });
    const url = oidc.buildAuthorizationUrl(discovered, {
      redirect_uri: ssoRedirectUri(config.issuer, idp.slug),
      response_type: 'code',
      scope: idp.scopes,
      state: pending.state,
      nonce: pending.nonce,
      code_challenge: pending.codeChallenge,
      code_challenge_method: 'S256',
    });
    request.log.info({ provider: idp.slug }, 'SSO sign-in started');
    return reply.code(303).header('location', url.href).header('set-cookie', pending.setCookie).header('cache-control', 'no-store').send();
  };

  /** The client an interaction belongs to, for the audit trail (the interaction may be gone). */
  const clientOf = async (uid: string | null): Promise<string | undefined> => {
    if (!uid) return undefined;
    const interaction = await provider.Interaction.find(uid).catch(() => undefined);
    const clientId = interaction?.params.client_id;
    return typeof clientId === 'string' ? clientId : undefined;
  };

  /** Code → tokens → validated ID token → who the IdP says this is. */
  const verify = async (idp: IdentityProvider, login: SsoLogin, request: FastifyRequest, state: string): Promise<AssertedIdentity | { failure: SsoRefusal; detail: string }> => {
    try {
      const discovered = await configurations(idp);
      const query = request.url.includes('?') ? request.url.slice(request.url.indexOf('?')) : '';
      // Our own redirect URI (from ISSUER, never the Host header) with the IdP's parameters.
      const currentUrl = new URL(`${ssoRedirectUri(config.issuer, idp.slug)}${query}`);
      const tokens = await oidc.authorizationCodeGrant(discovered, currentUrl, {
        pkceCodeVerifier: login.codeVerifier,
        expectedState: state,
        expectedNonce: login.nonce,
        idTokenExpected: true,
      });
      const claims = tokens.claims();
      if (!claims) return { failure: 'no_id_token', detail: 'no ID token in the token response' };
      let email = assertedEmail(claims.email);
      let emailVerified = email !== undefined && claims.email_verified === true;
      // Some IdPs (Entra ID, some Okta setups) leave the email to UserInfo.
      if (email === undefined && discovered.serverMetadata().userinfo_endpoint) {
        const info = await oidc.fetchUserInfo(discovered, tokens.access_token, claims.sub);
        email = assertedEmail(info.email);
        emailVerified = email !== undefined && info.email_verified === true;
      }
      return { sub: claims.sub, email, emailVerified };
    } catch (error) {
      return { failure: idpFailure(error), detail: failureDetail(error) };
    }
  };

  await app.register(async (scope) => {
    acceptForms(scope);

    scope.post<{ Params: { uid: string; slug: string }; Body: Form }>('/interaction/:uid/sso/:slug', async (request, reply) => {
      const interaction = await provider.interactionDetails(request.raw, reply.raw);
      if (interaction.uid !== request.params.uid) throw new errors.SessionNotFound('interaction session id mismatch');
      assertSameOrigin(request.headers.origin, config.issuer);
      if (!deps.csrf.interaction.valid(interaction.uid, request.body?.csrf)) throw new errors.InvalidRequest('missing or invalid CSRF token');
      if (interaction.prompt.name !== 'login') throw new errors.InvalidRequest('this step does not expect a sign-in');
      const clientId = typeof interaction.params.client_id === 'string' ? interaction.params.client_id : undefined;
      return start(request, reply, request.params.slug, { uid: interaction.uid, clientId });
    });

    scope.post<{ Params: { slug: string }; Body: Form }>('/account/sso/:slug', async (request, reply) => {
      assertSameOrigin(request.headers.origin, config.issuer);
      if (!deps.csrf.account.valid(nonceFromCookies(request.headers.cookie), request.body?.csrf)) {
        throw new errors.InvalidRequest('missing or invalid CSRF token');
      }
      return start(request, reply, request.params.slug, { account: true });
    });

    scope.get<{ Params: { slug: string }; Querystring: Record<string, string | string[] | undefined> }>('/sso/:slug/callback', async (request, reply) => {
      const held = await limiter.check(config.limits.loginIp, request.ip);
      if (!held.allowed) {
        reply.header('retry-after', String(held.retryAfterSeconds));
        return refuse(request, reply, 'rate_limited', {});
      }
      const now = clock();
      const state = request.query.state;
      const claimed = await claimPendingLogin(prisma, state, request.headers.cookie, now);
      if (typeof state === 'string' && (claimed.ok || claimed.reason !== 'bad_state')) reply.header('set-cookie', clearPendingCookie(state, secure));
      const idp = await prisma.identityProvider.findUnique({ where: { slug: request.params.slug } });
      if (!claimed.ok) {
        const login = claimed.login;
        return refuse(request, reply, claimed.reason, { idp: idp ?? undefined, uid: login?.interactionUid, account: login ? login.interactionUid === null : false });
      }
      const { login } = claimed;
      const where: Where = { idp: idp ?? undefined, uid: login.interactionUid, account: login.interactionUid === null, clientId: await clientOf(login.interactionUid) };
      if (!idp || idp.id !== login.providerId) return refuse(request, reply, idp ? 'bad_state' : 'unknown_provider', where);

      const error = request.query.error;
      if (error !== undefined) return refuse(request, reply, error === 'access_denied' ? 'cancelled' : 'idp_error', where, `the IdP answered error=${String(error).slice(0, 60)}`);

      const asserted = await verify(idp, login, request, state as string);
      if ('failure' in asserted) return refuse(request, reply, asserted.failure, where, asserted.detail);
      const resolution = await resolveAccountOnce(prisma, idp, asserted, now);
      if (!resolution.ok) return refuse(request, reply, resolution.reason, { ...where, email: resolution.email });

      const { accountId } = resolution;
      if (resolution.outcome === 'created') audit(request.log, { event: 'user.created', accountId, isAdmin: false, emailVerified: resolution.emailVerified, by: 'sso' });
      audit(request.log, { event: 'sso.sign_in.succeeded', provider: idp.slug, accountId, outcome: resolution.outcome, clientId: where.clientId });
      if (login.interactionUid) {
        await recordVerifiedAccount(prisma, login.id, accountId);
        return reply.code(303).header('location', `/interaction/${login.interactionUid}/sso`).header('cache-control', 'no-store').send();
      }
      await startSession(provider, { req: request.raw, res: reply.raw }, config.issuer, accountId, [SSO_AMR]);
      // startSession set the session cookie on the raw response; Fastify's own set-cookie (the
      // cleared attempt cookie) would replace it when the headers are written, so join them.
      const sessionCookies = [reply.raw.getHeader('set-cookie') ?? []].flat().map(String);
      reply.raw.removeHeader('set-cookie');
      reply.header('set-cookie', [...sessionCookies, ...[reply.getHeader('set-cookie') ?? []].flat().map(String)]);
      return reply.code(303).header('location', '/account').header('cache-control', 'no-store').send();
    });

    // Under the interaction's path, so oidc-provider's interaction cookie proves this browser owns it.
    scope.get<{ Params: { uid: string } }>('/interaction/:uid/sso', async (request, reply) => {
      const interaction = await provider.interactionDetails(request.raw, reply.raw);
      if (interaction.uid !== request.params.uid) throw new errors.SessionNotFound('interaction session id mismatch');
      if (interaction.prompt.name !== 'login') throw new errors.InvalidRequest('this step does not expect a sign-in');
      const accountId = await takeVerifiedAccount(prisma, interaction.uid, clock());
      if (!accountId) return refuse(request, reply, 'bad_state', { uid: interaction.uid }, 'no completed identity-provider sign-in for this interaction');
      reply.hijack();
      await provider.interactionFinished(request.raw, reply.raw, { login: { accountId, amr: [SSO_AMR] } }, { mergeWithLastSubmission: false });
      return reply;
    });
  });
}
