import type { LimitRule, RateLimiter } from '@omnichat/limits';
import type { FastifyInstance } from 'fastify';
import type { KoaContextWithOIDC } from 'oidc-provider';

import type { AuthLimits } from './auth-limits.js';
import { registrationLimit, type BeforeRegistration } from './registration-limit.js';
import { TooManyRequests } from './too-many-requests.js';

/** The hooks oidc-provider calls (provider/configuration.ts, seams/oidc-grant-handlers.ts). */
export type ClientLimits = {
  /** Registrations per caller and overall, once the body is parsed (AS-45). */
  beforeRegistration: BeforeRegistration;
  /** features.clientIdMetadataDocument.allowFetch: fetches per document host (AS-52). */
  allowCimdFetch(ctx: KoaContextWithOIDC, clientId: string): Promise<boolean>;
  /** Token requests per authenticated client, before a code or refresh token is consumed. */
  beforeGrant(ctx: KoaContextWithOIDC): Promise<void>;
};

/**
 * What clients may make us do, shared by every provider instance (oidc-provider limits none of
 * it): register (per IP before the body is read, then per caller and overall), have their CIMD
 * document fetched, and ask for tokens. A refusal is a 429 in the OAuth error shape with
 * Retry-After; `cimdFetchAllowed` is told of each fetch let through (the CIMD registration count).
 */
export function clientLimits(app: FastifyInstance, limiter: RateLimiter, limits: AuthLimits, cimdFetchAllowed: (ctx: KoaContextWithOIDC) => void): ClientLimits {
  const consume = async (ctx: KoaContextWithOIDC, rule: LimitRule, subject: string, refusal: string): Promise<void> => {
    const verdict = await limiter.consume(rule, subject);
    if (verdict.allowed) return;
    ctx.set('retry-after', String(verdict.retryAfterSeconds));
    throw new TooManyRequests(refusal, verdict.retryAfterSeconds);
  };
  return {
    beforeRegistration: registrationLimit(app, limiter, limits),
    async allowCimdFetch(ctx, clientId) {
      // One client_id host cannot make us fetch without end.
      await consume(ctx, limits.cimdPerHost, URL.parse(clientId)?.host ?? clientId, 'too many client metadata fetches for this host; retry later');
      cimdFetchAllowed(ctx);
      return true;
    },
    beforeGrant: (ctx) => consume(ctx, limits.tokenPerClient, ctx.oidc.client?.clientId ?? '', 'too many token requests for this client; retry later'),
  };
}
