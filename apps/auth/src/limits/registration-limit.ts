import type { RateLimiter } from '@omnichat/limits';
import type { FastifyInstance } from 'fastify';

import type { AuthLimits } from './auth-limits.js';

/**
 * Open DCR is credential-free, so registrations are capped per IP and overall (AS-45): oidc-provider
 * has no limit of its own. Runs before the provider reads the body. `request.ip` is the proxy-derived
 * address when TRUST_PROXY is set, the socket's otherwise (AS-71).
 */
export function registrationLimit(app: FastifyInstance, limiter: RateLimiter, limits: AuthLimits): void {
  app.addHook('onRequest', async (request, reply) => {
    if (request.method !== 'POST' || !(request.url === '/register' || request.url.startsWith('/register?'))) return;
    for (const [rule, subject] of [[limits.registerPerIp, request.ip], [limits.registerGlobal, '*']] as const) {
      const verdict = await limiter.consume(rule, subject);
      if (!verdict.allowed) {
        // RFC 6585 §4 + RFC 7591 §3.2.2's JSON error shape; CORS as on every /register answer.
        return reply
          .code(429)
          .headers({ 'retry-after': String(verdict.retryAfterSeconds), 'access-control-allow-origin': '*', 'cache-control': 'no-store' })
          .send({ error: 'temporarily_unavailable', error_description: 'too many client registrations; retry later' });
      }
    }
  });
}
