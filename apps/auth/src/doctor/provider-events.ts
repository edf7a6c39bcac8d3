import type { IncomingMessage } from 'node:http';

import type { DoctorRecorder } from '@omnichat/doctor';
import type Provider from 'oidc-provider';
import type { KoaContextWithOIDC } from 'oidc-provider';

import { refusalDetail } from '../seams/oidc-error-detail.js';
import { rotatedRefreshTokenGrant } from '../seams/oidc-token-entities.js';
import { authorizationFacts, classifyAuthorization, classifyGrant, classifyRegistration, grantFacts, reasonOf, registrationFacts } from './classify.js';
import { refreshMark } from './refresh-marks.js';

export type ProviderEventDeps = {
  doctor: DoctorRecorder;
  /** The caller's address as Fastify computed it (trusted proxies only), for a raw request. */
  sourceOf: (request: IncomingMessage) => string | undefined;
  resourceUrl: string;
  refreshGraceSeconds: number;
};

type OAuthError = Error & { error?: string; error_description?: string };

const isUrl = (value: unknown) => typeof value === 'string' && /^https?:\/\//.test(value);

/** The account a request concerns, once oidc-provider loaded it (a session, a code, a refresh token, a grant). */
function accountOf(ctx: KoaContextWithOIDC): string | undefined {
  const { entities } = ctx.oidc;
  return entities.Grant?.accountId ?? entities.RefreshToken?.accountId ?? entities.AuthorizationCode?.accountId ?? entities.Session?.accountId;
}

const paramsOf = (ctx: KoaContextWithOIDC) => (ctx.oidc.params ?? (ctx.method === 'POST' ? ctx.oidc.body : ctx.query)) as Record<string, unknown> | undefined;

/**
 * Records the authorization, token, refresh and registration steps from oidc-provider's documented
 * events (authorization.error, interaction.started, authorization.success, grant.success,
 * grant.error, registration_create.success/error). Listeners only queue; the recorder writes later.
 */
export function recordProviderEvents(provider: Provider, deps: ProviderEventDeps): void {
  const { doctor } = deps;
  const base = (ctx: KoaContextWithOIDC) => {
    const params = paramsOf(ctx);
    const clientId = ctx.oidc.client?.clientId ?? (typeof params?.['client_id'] === 'string' ? params['client_id'] : undefined);
    return { clientId, userId: accountOf(ctx), source: deps.sourceOf(ctx.req) };
  };

  provider.on('authorization.error', (ctx, error: OAuthError) => {
    // The user's Deny is recorded by the consent route, as consent.
    if (error.error === 'access_denied') return;
    const { clientId, userId, source } = base(ctx);
    const reason = reasonOf(error, refusalDetail(error));
    const { rule } = classifyAuthorization(error, reason, isUrl(clientId));
    const facts = {
      ...authorizationFacts(paramsOf(ctx)),
      error: error.error ?? error.message,
      ...(reason ? { reason } : {}),
      ...(ctx.oidc.client ? { redirectUris: [...(ctx.oidc.client.redirectUris ?? [])] } : {}),
      ...(rule === 'resource.invalid_target' ? { expectedAudience: deps.resourceUrl } : {}),
    };
    const step = rule === 'cimd.fetch_failed' ? 'registration' : 'authorize';
    doctor.record({ step, outcome: 'failed', rule, clientId, userId, source, detail: `${error.error ?? 'error'}: ${reason ?? ''}`.trim(), facts });
  });

  provider.on('interaction.started', (ctx, prompt) => {
    // Resumed after sign-in (now asking for consent): the same authorization request, recorded once.
    if (ctx.oidc.result) return;
    const { clientId, userId, source } = base(ctx);
    const facts = authorizationFacts(paramsOf(ctx));
    doctor.record({ step: 'authorize', outcome: 'ok', clientId, userId, source, detail: `authorization request accepted; asks for ${prompt.name}`, facts });
  });

  provider.on('authorization.success', (ctx) => {
    // After sign-in or consent the interaction routes recorded those steps; this is the case with
    // neither (a signed-in user whose grant already covers the request).
    if (ctx.oidc.result) return;
    const { clientId, userId, source } = base(ctx);
    doctor.record({ step: 'authorize', outcome: 'ok', clientId, userId, source, detail: 'authorization code issued without interaction (existing session and grant)', facts: authorizationFacts(paramsOf(ctx)) });
  });

  provider.on('grant.success', (ctx) => {
    const { clientId, userId, source } = base(ctx);
    const params = paramsOf(ctx);
    const facts = grantFacts(params);
    if (facts.grantType === 'refresh_token') {
      const mark = refreshMark(ctx);
      const refresh = mark === 'grace' ? 'grace' : rotatedRefreshTokenGrant(ctx) ? 'rotated' : undefined;
      const detail = refresh === 'grace'
        ? `duplicate refresh within the ${deps.refreshGraceSeconds} s grace: the same token pair was returned`
        : refresh === 'rotated' ? 'refresh token rotated; new tokens issued' : 'tokens refreshed';
      doctor.record({ step: 'refresh', outcome: 'ok', clientId, userId, source, detail, facts: { ...facts, ...(refresh ? { refresh } : {}) } });
      return;
    }
    const scope = (ctx.body as { scope?: unknown } | undefined)?.scope;
    doctor.record({ step: 'token', outcome: 'ok', clientId, userId, source, detail: `${facts.grantType}: tokens issued${typeof scope === 'string' ? ` (scope ${scope})` : ''}`, facts });
  });

  provider.on('grant.error', (ctx, error: OAuthError) => {
    const { clientId, userId, source } = base(ctx);
    const facts = grantFacts(paramsOf(ctx));
    const reason = reasonOf(error, refusalDetail(error));
    const { rule } = classifyGrant(error, reason, facts.grantType ?? '', refreshMark(ctx) === 'reuse');
    const step = facts.grantType === 'refresh_token' ? 'refresh' : 'token';
    doctor.record({
      step,
      outcome: 'failed',
      rule,
      clientId,
      userId,
      source,
      detail: `${facts.grantType}: ${error.error ?? 'error'}${reason ? ` (${reason})` : ''}`,
      facts: {
        ...facts,
        error: error.error ?? error.message,
        ...(reason ? { reason } : {}),
        ...(rule === 'refresh.reuse' ? { refresh: 'reuse' as const, graceSeconds: deps.refreshGraceSeconds } : {}),
        ...(rule === 'resource.invalid_target' ? { expectedAudience: deps.resourceUrl } : {}),
      },
    });
  });

  provider.on('registration_create.success', (ctx, client) => {
    doctor.record({
      step: 'registration',
      outcome: 'ok',
      clientId: client.clientId,
      source: deps.sourceOf(ctx.req),
      detail: `registered ${client.clientName ?? '(no name)'} (DCR)`,
      facts: registrationFacts(ctx.oidc.body as Record<string, unknown> | undefined),
    });
  });

  provider.on('registration_create.error', (ctx, error: OAuthError) => {
    const reason = reasonOf(error, refusalDetail(error));
    const { rule } = classifyRegistration(error, reason);
    doctor.record({
      step: 'registration',
      outcome: 'failed',
      rule,
      source: deps.sourceOf(ctx.req),
      detail: `${error.error ?? 'error'}: ${reason ?? ''}`.trim(),
      facts: { ...registrationFacts(ctx.oidc.body as Record<string, unknown> | undefined), error: error.error ?? error.message, ...(reason ? { reason } : {}) },
    });
  });
}
