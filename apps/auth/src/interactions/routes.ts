import { normaliseEmail } from '@omnichat/db';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { errors } from 'oidc-provider';

import { authenticate } from '../accounts/authenticate.js';
import { audit } from '@omnichat/audit';
import type { AuthConfig } from '../config.js';
import { interactionSsoButtons } from '../sso/buttons.js';
import { PASSWORD_SIGN_IN_OFF } from '../sso/password-off.js';
import { consentPage } from '../views/consent.js';
import { pageHeaders } from '../views/layout.js';
import type { SafeHtml } from '../views/html.js';
import { loginPage } from '../views/login.js';
import { PASSKEY_FAILED } from '../passkeys/sign-in-block.js';
import { clientLabel, isLoopbackHost } from './client-label.js';
import { csrfToken, csrfValid } from './csrf.js';
import { acceptForms, assertSameOrigin, type Form } from './form-guard.js';
import { BAD_CREDENTIALS, throttledMessage } from './login-throttle.js';
import type { SignInRouteDeps } from './sign-in-deps.js';
import { describeScopes, grantScopes, requestedScopes, type PromptDetails } from './requested-scopes.js';

type Deps = SignInRouteDeps<InteractionFactors>;

/** Hooks of the second factor and passkeys (mfa/, passkeys/): absent, sign-in is the password alone. */
export type InteractionFactors = {
  /** After a right password: the step under /interaction/<uid>/ to go to, or undefined to finish. */
  afterPassword(uid: string, accountId: string): Promise<string | undefined>;
  /** Before consent: a step for a signed-in account that still needs a factor, or undefined. */
  beforeConsent(uid: string, accountId: string, amr: readonly string[]): Promise<string | undefined>;
  /** Markup offered under the password form (`Sign in with a passkey`). */
  signInAlternatives(uid: string, csrf: string): Promise<SafeHtml>;
};
type Params = { uid: string };
type FormRequest = FastifyRequest<{ Params: Params; Body: Form }>;

/**
 * Our sign-in and consent steps (oidc-provider ships none for production, D.2). Every value comes
 * from `interactionDetails()`, never from the form, except the credentials themselves (AS-57).
 */
export async function interactionRoutes(app: FastifyInstance, config: AuthConfig, deps: Deps): Promise<void> {
  const { provider, prisma, csrfKeys } = deps;
  const [csrfKey] = csrfKeys as [Buffer, ...Buffer[]];
  const branding = config.branding;

  await app.register(async (scope) => {
    acceptForms(scope);

    const sendPage = (reply: FastifyReply, status: number, body: string) => reply.code(status).headers(pageHeaders(branding)).send(body);

    const details = async (request: FastifyRequest<{ Params: Params }>, reply: FastifyReply) => {
      const found = await provider.interactionDetails(request.raw, reply.raw);
      if (found.uid !== request.params.uid) throw new errors.SessionNotFound('interaction session id mismatch');
      return found;
    };

    /** AS-56: same origin, and the token bound to this interaction (itself bound to this browser). */
    const assertFormPost = (request: FormRequest) => {
      assertSameOrigin(request.headers.origin, config.issuer);
      if (!csrfValid(csrfKeys, request.params.uid, request.body?.csrf)) throw new errors.InvalidRequest('missing or invalid CSRF token');
    };

    const signInPage = async (uid: string, clientId: unknown, extra: { email?: string; error?: string } = {}) => {
      const client = await clientLabel(provider, clientId);
      const csrf = csrfToken(csrfKey, uid);
      return loginPage({
        alternatives: await deps.factors?.signInAlternatives(uid, csrf),
        branding,
        action: `/interaction/${uid}/login`,
        cancelAction: `/interaction/${uid}/abort`,
        context: `to continue to ${client.name}`,
        csrf: csrfToken(csrfKey, uid),
        providers: await interactionSsoButtons(prisma, uid),
        password: config.passwordSignIn,
        ...extra,
      });
    };

    scope.get<{ Params: Params; Querystring: { passkey?: string } }>('/interaction/:uid', async (request, reply) => {
      const interaction = await details(request, reply);
      if (interaction.prompt.name === 'login') {
        const failed = request.query.passkey === 'failed' ? { error: PASSKEY_FAILED } : {};
        return sendPage(reply, failed.error ? 401 : 200, await signInPage(interaction.uid, interaction.params.client_id, failed));
      }

      const client = await clientLabel(provider, interaction.params.client_id);
      const accountId = interaction.session?.accountId;
      const factorStep = accountId ? await deps.factors?.beforeConsent(interaction.uid, accountId, interaction.session?.amr ?? []) : undefined;
      request.server.doctor.record({ step: 'sign-in', outcome: 'ok', clientId: String(interaction.params.client_id), userId: accountId, source: request.ip, detail: factorStep ? `password accepted; second factor asked (${factorStep})` : 'signed in with password' });
      if (factorStep) return reply.code(303).header('location', `/interaction/${interaction.uid}/${factorStep}`).header('cache-control', 'no-store').send();
      const user = accountId ? await prisma.user.findUnique({ where: { id: accountId } }) : null;
      const asked = requestedScopes(interaction.prompt.details as PromptDetails);
      const grant = interaction.grantId ? await provider.Grant.find(interaction.grantId) : undefined;
      const askedIds = new Set(asked.map((s) => s.scope));
      const redirectHost = URL.parse(String(interaction.params.redirect_uri))?.host ?? client.redirectHost;
      return sendPage(reply, 200, consentPage({
        branding,
        uid: interaction.uid,
        csrf: csrfToken(csrfKey, interaction.uid),
        clientName: client.name,
        clientIdHost: client.clientIdHost,
        redirectHost,
        redirectIsLoopback: isLoopbackHost(redirectHost),
        email: user?.email ?? '',
        scopes: asked,
        alreadyGranted: describeScopes(grant ? grantScopes(grant).filter((s) => !askedIds.has(s)) : []),
      }));
    });

    scope.post<{ Params: Params; Body: Form }>('/interaction/:uid/login', async (request, reply) => {
      const interaction = await details(request, reply);
      assertFormPost(request);
      if (interaction.prompt.name !== 'login') throw new errors.InvalidRequest('this step does not expect a sign-in');
      if (!config.passwordSignIn) return sendPage(reply, 403, await signInPage(interaction.uid, interaction.params.client_id, { error: PASSWORD_SIGN_IN_OFF }));
      const email = request.body.email ?? '';
      // AS-53: backoff per account and per IP, checked before the password is even looked at.
      const throttleKey = normaliseEmail(email);
      const waitSeconds = (await deps.loginThrottle?.waitSeconds(throttleKey, request.ip)) ?? 0;
      if (waitSeconds > 0) {
        request.log.info({ uid: interaction.uid, waitSeconds }, 'sign-in throttled');
        deps.metrics?.signIn('rate_limited');
        audit(request.log, { event: 'sign_in.failed', reason: 'rate_limited', clientId: String(interaction.params.client_id) });
        request.server.doctor.record({ step: 'sign-in', outcome: 'failed', rule: 'sign-in.failed', clientId: String(interaction.params.client_id), source: request.ip, detail: 'sign-in throttled', facts: { reason: 'rate_limited' } });
        reply.header('retry-after', String(waitSeconds));
        return sendPage(reply, 429, await signInPage(interaction.uid, interaction.params.client_id, { email, error: throttledMessage(waitSeconds) }));
      }
      const accountId = await authenticate(prisma, email, request.body.password ?? '');
      if (!accountId) {
        await deps.loginThrottle?.failed(throttleKey, request.ip);
        request.log.info({ uid: interaction.uid }, 'sign-in refused');
        deps.metrics?.signIn('bad_credentials');
        audit(request.log, { event: 'sign_in.failed', reason: 'bad_credentials', clientId: String(interaction.params.client_id) });
        request.server.doctor.record({ step: 'sign-in', outcome: 'failed', rule: 'sign-in.failed', clientId: String(interaction.params.client_id), source: request.ip, detail: 'wrong email or password', facts: { reason: 'bad_credentials' } });
        return sendPage(reply, 401, await signInPage(interaction.uid, interaction.params.client_id, { email, error: BAD_CREDENTIALS }));
      }
      await deps.loginThrottle?.succeeded(throttleKey);
      deps.metrics?.signIn('succeeded');
      const factorStep = await deps.factors?.afterPassword(interaction.uid, accountId);
      if (factorStep) return reply.code(303).header('location', `/interaction/${interaction.uid}/${factorStep}`).header('cache-control', 'no-store').send();
      audit(request.log, { event: 'sign_in.succeeded', accountId, clientId: String(interaction.params.client_id) });
      reply.hijack();
      await provider.interactionFinished(request.raw, reply.raw, { login: { accountId } }, { mergeWithLastSubmission: false });
      return reply;
    });

    scope.post<{ Params: Params; Body: Form }>('/interaction/:uid/confirm', async (request, reply) => {
      const interaction = await details(request, reply);
      assertFormPost(request);
      if (interaction.prompt.name !== 'consent') throw new errors.InvalidRequest('this step does not expect consent');
      const accountId = interaction.session?.accountId;
      const clientId = interaction.params.client_id;
      if (!accountId || typeof clientId !== 'string') throw new errors.SessionNotFound('no signed-in account for this interaction');
      // An existing grant (loadExistingGrant finds this account's grant for the client) only grows:
      // scopes allowed before are kept and not asked again.
      const grant = (interaction.grantId ? await provider.Grant.find(interaction.grantId) : undefined)
        ?? new provider.Grant({ accountId, clientId });
      const missing = interaction.prompt.details as PromptDetails;
      if (missing.missingOIDCScope?.length) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
      if (missing.missingOIDCClaims?.length) grant.addOIDCClaims(missing.missingOIDCClaims);
      for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {})) {
        grant.addResourceScope(indicator, scopes.join(' '));
      }
      const grantId = await grant.save();
      request.server.doctor.record({ step: 'consent', outcome: 'ok', clientId, userId: accountId, source: request.ip, detail: `allowed ${[...new Set(Object.values(missing.missingResourceScopes ?? {}).flat())].join(' ') || 'the request'}` });
      audit(request.log, { event: 'consent.granted', accountId, clientId, grantId, scopes: [...new Set(Object.values(missing.missingResourceScopes ?? {}).flat().concat(missing.missingOIDCScope ?? []))] });
      reply.hijack();
      await provider.interactionFinished(request.raw, reply.raw, { consent: { grantId } }, { mergeWithLastSubmission: true });
      return reply;
    });

    scope.post<{ Params: Params; Body: Form }>('/interaction/:uid/abort', async (request, reply) => {
      const interaction = await details(request, reply);
      assertFormPost(request);
      audit(request.log, { event: 'consent.denied', accountId: interaction.session?.accountId, clientId: String(interaction.params.client_id) });
      request.server.doctor.record({ step: 'consent', outcome: 'failed', rule: 'consent.denied', clientId: String(interaction.params.client_id), userId: interaction.session?.accountId, source: request.ip, detail: 'the user chose Deny' });
      reply.hijack();
      // RFC 6749 §4.1.2.1; oidc-provider adds `iss` (RFC 9207) to this error redirect too (AS-22).
      await provider.interactionFinished(request.raw, reply.raw, {
        error: 'access_denied',
        error_description: 'The user denied the request',
      }, { mergeWithLastSubmission: false });
      return reply;
    });

    /**
     * "Not you? Switch account": ends the signed-in session and starts the same authorization
     * request again, which now asks for a sign-in. The parameters are the ones oidc-provider
     * already validated and stored with the interaction; we only ever redirect to our own /auth.
     */
    scope.post<{ Params: Params; Body: Form }>('/interaction/:uid/switch', async (request, reply) => {
      const interaction = await details(request, reply);
      assertFormPost(request);
      const sessionId = interaction.session?.cookie;
      const session = typeof sessionId === 'string' ? await provider.Session.find(sessionId) : undefined;
      await session?.destroy();
      await interaction.destroy();
      const params = new URLSearchParams();
      for (const [key, value] of Object.entries(interaction.params)) {
        if (key === 'prompt') continue;
        for (const item of [value].flat()) if (typeof item === 'string') params.append(key, item);
      }
      request.log.info({ uid: interaction.uid }, 'switching account');
      return reply.code(303).header('location', `${provider.pathFor('authorization')}?${params}`).header('cache-control', 'no-store').send();
    });
  });
}
