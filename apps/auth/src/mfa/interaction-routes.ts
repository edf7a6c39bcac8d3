import type { PrismaClient, User } from '@omnichat/db';
import type { AuthMetrics } from '@omnichat/metrics';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type Provider from 'oidc-provider';
import { errors } from 'oidc-provider';

import { audit } from '@omnichat/audit';
import type { AuthConfig } from '../config.js';
import type { FormCsrf } from '../forms/csrf.js';
import { acceptForms, assertSameOrigin, type Form } from '../forms/form-guard.js';
import { relyingParty, verifyPasskey } from '../passkeys/webauthn.js';
import { LOCAL_AMR } from '../sign-in/amr.js';
import { interactionKey } from './pending.js';
import type { Flow, SecondStep } from './second-step.js';

type Deps = { provider: Provider; prisma: PrismaClient; csrf: FormCsrf; step: SecondStep; metrics?: Pick<AuthMetrics, 'signIn'> | undefined };
type Params = { uid: string };
type FormRequest = FastifyRequest<{ Params: Params; Body: Form }>;

/**
 * The second factor inside the oidc-provider interaction, right after the password and before
 * consent: `/interaction/<uid>/mfa` (code, recovery code or passkey), `/mfa/setup` (MFA_REQUIRED
 * and no factor yet), `/mfa/done`; and `/interaction/<uid>/passkey`, signing in with a passkey
 * alone. The sign-in completes with interactionFinished only once the factor is given.
 */
export async function interactionFactorRoutes(app: FastifyInstance, config: AuthConfig, deps: Deps): Promise<void> {
  const { provider, prisma, step } = deps;
  const csrf = deps.csrf.interaction;
  const rp = relyingParty(config.issuer, config.branding.name);

  const finishLogin = (request: FastifyRequest, reply: FastifyReply) => async (user: User, amr: readonly string[]) => {
    reply.hijack();
    await provider.interactionFinished(request.raw, reply.raw, { login: { accountId: user.id, amr: [...amr] } }, { mergeWithLastSubmission: false });
    return reply;
  };

  const flowOf = async (request: FastifyRequest<{ Params: Params }>, reply: FastifyReply): Promise<Flow> => {
    const interaction = await provider.interactionDetails(request.raw, reply.raw);
    if (interaction.uid !== request.params.uid) throw new errors.SessionNotFound('interaction session id mismatch');
    const base = `/interaction/${interaction.uid}`;
    return {
      base,
      key: interactionKey(interaction.uid),
      csrf: csrf.token(interaction.uid),
      clientId: String(interaction.params.client_id),
      cancelAction: `${base}/abort`,
      finish: finishLogin(request, reply),
    };
  };

  const assertFormPost = (request: FormRequest) => {
    assertSameOrigin(request.headers.origin, config.issuer);
    if (!csrf.valid(request.params.uid, request.body?.csrf)) throw new errors.InvalidRequest('missing or invalid CSRF token');
  };

  await app.register(async (scope) => {
    acceptForms(scope);
    scope.get<{ Params: Params }>('/interaction/:uid/mfa', async (request, reply) => step.showChallenge(reply, await flowOf(request, reply)));
    scope.get<{ Params: Params }>('/interaction/:uid/mfa/setup', async (request, reply) => step.showSetup(reply, await flowOf(request, reply)));
    scope.post<{ Params: Params; Body: Form }>('/interaction/:uid/mfa', async (request, reply) => {
      const flow = await flowOf(request, reply);
      assertFormPost(request);
      return step.checkCode(request, reply, flow);
    });
    scope.post<{ Params: Params; Body: Form }>('/interaction/:uid/mfa/passkey', async (request, reply) => {
      const flow = await flowOf(request, reply);
      assertFormPost(request);
      return step.checkPasskey(request, reply, flow);
    });
    scope.post<{ Params: Params; Body: Form }>('/interaction/:uid/mfa/setup', async (request, reply) => {
      const flow = await flowOf(request, reply);
      assertFormPost(request);
      return step.confirmSetup(request, reply, flow);
    });
    scope.post<{ Params: Params; Body: Form }>('/interaction/:uid/mfa/done', async (request, reply) => {
      const flow = await flowOf(request, reply);
      assertFormPost(request);
      return step.done(request, reply, flow);
    });

    /** `Sign in with a passkey` on the sign-in page: a discoverable credential is both factors. */
    scope.post<{ Params: Params; Body: Form }>('/interaction/:uid/passkey', async (request, reply) => {
      const flow = await flowOf(request, reply);
      assertFormPost(request);
      const verdict = await verifyPasskey(prisma, rp, request.body);
      if (!verdict.ok) {
        audit(request.log, { event: 'mfa.factor_failed', accountId: verdict.userId, factor: 'passkey', reason: verdict.reason });
        audit(request.log, { event: 'sign_in.failed', reason: 'bad_credentials', clientId: flow.clientId });
        deps.metrics?.signIn('bad_credentials');
        return reply.code(303).header('location', `${flow.base}?passkey=failed`).header('cache-control', 'no-store').send();
      }
      const user = await prisma.user.findUniqueOrThrow({ where: { id: verdict.userId } });
      audit(request.log, { event: 'mfa.factor_used', accountId: user.id, factor: 'passkey', clientId: flow.clientId });
      audit(request.log, { event: 'sign_in.succeeded', accountId: user.id, clientId: flow.clientId });
      deps.metrics?.signIn('succeeded');
      return flow.finish(user, LOCAL_AMR.passkey);
    });
  });
}
