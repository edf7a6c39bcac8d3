import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { errors } from 'oidc-provider';

import { audit } from '@omnichat/audit';
import type { AuthConfig } from '../config.js';
import { acceptForms, assertSameOrigin, type Form } from '../forms/form-guard.js';
import { describeScopes, grantScopes, requestedScopes, type PromptDetails } from '../grants/scopes.js';
import type { InteractionFactors, SignInRouteDeps } from '../sign-in/deps.js';
import { LOCAL_AMR } from '../sign-in/amr.js';
import { passwordSignIn } from '../sign-in/password-sign-in.js';
import { signInPage, type SignInPagePlace } from '../sign-in/sign-in-page.js';
import { interactionSsoButtons } from '../sso/buttons.js';
import { consentPage } from '../views/consent.js';
import { pageHeaders } from '../views/layout.js';
import { clientLabel, isLoopbackHost } from './client-label.js';

type Deps = SignInRouteDeps<InteractionFactors>;
type Params = { uid: string };
type FormRequest = FastifyRequest<{ Params: Params; Body: Form }>;

/**
 * Our interaction steps (oidc-provider ships none for production, D.2): the sign-in page
 * (sign-in/sign-in-page.ts), whose password step is sign-in/password-sign-in.ts, then consent,
 * cancel and "switch account". Every value comes from `interactionDetails()`, never from the
 * form, except the credentials (AS-57).
 */
export async function interactionRoutes(app: FastifyInstance, config: AuthConfig, deps: Deps): Promise<void> {
  const { provider, prisma } = deps;
  const csrf = deps.csrf.interaction;
  const branding = config.branding;
  const signIn = passwordSignIn(config, deps);
  const pages = signInPage(config);

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
      if (!csrf.valid(request.params.uid, request.body?.csrf)) throw new errors.InvalidRequest('missing or invalid CSRF token');
    };

    const signInPlace = async (uid: string, clientId: unknown): Promise<SignInPagePlace> => {
      const token = csrf.token(uid);
      return {
        action: `/interaction/${uid}/login`,
        cancelAction: `/interaction/${uid}/abort`,
        context: `to continue to ${(await clientLabel(provider, clientId)).name}`,
        csrf: token,
        ssoButtons: () => interactionSsoButtons(prisma, uid),
        alternatives: async () => deps.factors?.signInAlternatives(uid, token),
      };
    };

    scope.get<{ Params: Params; Querystring: { passkey?: string } }>('/interaction/:uid', async (request, reply) => {
      const interaction = await details(request, reply);
      if (interaction.prompt.name === 'login') {
        const shown = await pages.onGet(await signInPlace(interaction.uid, interaction.params.client_id), request.query.passkey);
        return sendPage(reply, shown.status, shown.body);
      }

      const client = await clientLabel(provider, interaction.params.client_id);
      const accountId = interaction.session?.accountId;
      const factorStep = accountId ? await deps.factors?.beforeConsent(interaction.uid, accountId, interaction.session?.amr ?? []) : undefined;
      if (factorStep) return reply.code(303).header('location', `/interaction/${interaction.uid}/${factorStep}`).header('cache-control', 'no-store').send();
      const user = accountId ? await prisma.user.findUnique({ where: { id: accountId } }) : null;
      const asked = requestedScopes(interaction.prompt.details as PromptDetails);
      const grant = interaction.grantId ? await provider.Grant.find(interaction.grantId) : undefined;
      const askedIds = new Set(asked.map((s) => s.scope));
      const redirectHost = URL.parse(String(interaction.params.redirect_uri))?.host ?? client.redirectHost;
      return sendPage(reply, 200, consentPage({
        branding,
        uid: interaction.uid,
        csrf: csrf.token(interaction.uid),
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
      const { uid } = interaction;
      return signIn(request, reply, {
        base: `/interaction/${uid}`,
        logFields: { uid },
        clientId: String(interaction.params.client_id),
        page: async (status, extra) => sendPage(reply, status, await pages.render(await signInPlace(uid, interaction.params.client_id), extra)),
        afterPassword: async (accountId) => deps.factors?.afterPassword(uid, accountId),
        finish: async (accountId) => {
          reply.hijack();
          await provider.interactionFinished(request.raw, reply.raw, { login: { accountId, amr: [...LOCAL_AMR.password] } }, { mergeWithLastSubmission: false });
          return reply;
        },
      });
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
