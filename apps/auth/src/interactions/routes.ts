import type { PrismaClient } from '@omnichat/db';
import { describeScope, isOidcScope, isScope } from '@omnichat/scopes';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type Provider from 'oidc-provider';
import { errors } from 'oidc-provider';

import { authenticate } from '../accounts/authenticate.js';
import type { AuthConfig } from '../config.js';
import { consentPage, type ConsentScope } from '../views/consent.js';
import { PAGE_HEADERS } from '../views/layout.js';
import { loginPage } from '../views/login.js';
import { csrfToken, csrfValid } from './csrf.js';

type Deps = { provider: Provider; prisma: PrismaClient; csrfKey: Buffer };
type Params = { uid: string };
type Form = Record<string, string | undefined>;

/** Generic on purpose: unknown email and wrong password must read the same (AS-54). */
const BAD_CREDENTIALS = 'That email and password do not match an account.';

/**
 * Our login and consent steps (oidc-provider ships none for production, D.2). Every value comes
 * from `interactionDetails()`, never from the form, except the credentials themselves (AS-57).
 */
export async function interactionRoutes(app: FastifyInstance, config: AuthConfig, deps: Deps): Promise<void> {
  const { provider, prisma, csrfKey } = deps;

  await app.register(async (scope) => {
    scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 8 * 1024 }, (_request, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(body as string)));
    });

    const sendPage = (reply: FastifyReply, status: number, body: string) => reply.code(status).headers(PAGE_HEADERS).send(body);

    const clientLabel = async (clientId: unknown) => {
      const client = typeof clientId === 'string' ? await provider.Client.find(clientId) : undefined;
      if (!client) throw new errors.InvalidClient('client not found');
      const redirectHost = client.redirectUris?.[0] ? new URL(client.redirectUris[0]).host : '';
      return { name: client.clientName ?? redirectHost ?? client.clientId, redirectHost };
    };

    /** Same-origin POSTs only (AS-56: SameSite=Lax alone does not stop a sibling subdomain). */
    const assertFormPost = (request: FastifyRequest<{ Params: Params; Body: Form }>) => {
      const origin = request.headers.origin;
      if (origin !== undefined && origin !== new URL(config.issuer).origin) throw new errors.InvalidRequest('cross-origin form post refused');
      if (!csrfValid(csrfKey, request.params.uid, request.body?.csrf)) throw new errors.InvalidRequest('missing or invalid CSRF token');
    };

    const details = async (request: FastifyRequest<{ Params: Params }>, reply: FastifyReply) => {
      const found = await provider.interactionDetails(request.raw, reply.raw);
      if (found.uid !== request.params.uid) throw new errors.SessionNotFound('interaction session id mismatch');
      return found;
    };

    scope.get<{ Params: Params }>('/interaction/:uid', async (request, reply) => {
      const interaction = await details(request, reply);
      const client = await clientLabel(interaction.params.client_id);
      const csrf = csrfToken(csrfKey, interaction.uid);
      if (interaction.prompt.name === 'login') {
        return sendPage(reply, 200, loginPage({ brand: config.brandName, uid: interaction.uid, csrf, clientName: client.name }));
      }
      const accountId = interaction.session?.accountId;
      const user = accountId ? await prisma.user.findUnique({ where: { id: accountId } }) : null;
      return sendPage(reply, 200, consentPage({
        brand: config.brandName,
        uid: interaction.uid,
        csrf,
        clientName: client.name,
        redirectHost: URL.parse(String(interaction.params.redirect_uri))?.host ?? client.redirectHost,
        email: user?.email ?? '',
        scopes: requestedScopes(interaction.prompt.details),
      }));
    });

    scope.post<{ Params: Params; Body: Form }>('/interaction/:uid/login', async (request, reply) => {
      const interaction = await details(request, reply);
      assertFormPost(request);
      if (interaction.prompt.name !== 'login') throw new errors.InvalidRequest('this step does not expect a sign-in');
      const email = request.body.email ?? '';
      const accountId = await authenticate(prisma, email, request.body.password ?? '');
      if (!accountId) {
        request.log.info({ uid: interaction.uid }, 'sign-in refused');
        const client = await clientLabel(interaction.params.client_id);
        return sendPage(reply, 401, loginPage({
          brand: config.brandName, uid: interaction.uid, csrf: csrfToken(csrfKey, interaction.uid), clientName: client.name, email, error: BAD_CREDENTIALS,
        }));
      }
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
      const grant = (interaction.grantId ? await provider.Grant.find(interaction.grantId) : undefined)
        ?? new provider.Grant({ accountId, clientId });
      const missing = interaction.prompt.details as PromptDetails;
      if (missing.missingOIDCScope?.length) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
      if (missing.missingOIDCClaims?.length) grant.addOIDCClaims(missing.missingOIDCClaims);
      for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {})) {
        grant.addResourceScope(indicator, scopes.join(' '));
      }
      const grantId = await grant.save();
      reply.hijack();
      await provider.interactionFinished(request.raw, reply.raw, { consent: { grantId } }, { mergeWithLastSubmission: true });
      return reply;
    });

    scope.post<{ Params: Params; Body: Form }>('/interaction/:uid/abort', async (request, reply) => {
      await details(request, reply);
      assertFormPost(request);
      reply.hijack();
      // RFC 6749 §4.1.2.1; oidc-provider adds `iss` (RFC 9207) to this error redirect too (AS-22).
      await provider.interactionFinished(request.raw, reply.raw, {
        error: 'access_denied',
        error_description: 'The user denied the request',
      }, { mergeWithLastSubmission: false });
      return reply;
    });
  });
}

type PromptDetails = {
  missingOIDCScope?: string[];
  missingOIDCClaims?: string[];
  missingResourceScopes?: Record<string, string[]>;
};

/** Each scope once (the resource may be listed under both spellings), with catalogue text. */
function requestedScopes(details: unknown): ConsentScope[] {
  const missing = details as PromptDetails;
  const scopes = new Set([...(missing.missingOIDCScope ?? []), ...Object.values(missing.missingResourceScopes ?? {}).flat()]);
  return [...scopes]
    .filter((scope) => isScope(scope) || isOidcScope(scope))
    .map((scope) => ({ scope, description: describeScope(scope as Parameters<typeof describeScope>[0]) }));
}
