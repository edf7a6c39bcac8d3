import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

import type { RateLimiter } from '@omnichat/limits';
import { isLoopbackLiteral } from '@omnichat/util';
import type { FastifyInstance } from 'fastify';
import type { KoaContextWithOIDC } from 'oidc-provider';

import type { AuthLimits } from './auth-limits.js';
import { TooManyRequests } from './too-many-requests.js';

const REFUSAL = 'too many client registrations; retry later';
const MAX_SOFTWARE_CHARS = 200;

/** The caller check, run by oidc-provider once the registration body is parsed (provider/configuration.ts). */
export type BeforeRegistration = (ctx: KoaContextWithOIDC) => Promise<void>;

/**
 * Open DCR is credential-free, so registrations are capped (AS-45; oidc-provider has no limit of
 * its own), in two places:
 * - every POST /register per IP, before the provider reads the body: a generous ceiling that keeps
 *   one address from making us parse without end;
 * - each registration the provider is about to store, per caller and overall. ChatGPT and Claude
 *   register from shared egress ranges (Claude once or twice per connect), so the IP alone would let
 *   one noisy client software behind an address use up everyone's budget: the caller is the IP with
 *   the software (`software_id`, else `client_name`) and the redirect hosts it registers (loopback
 *   counted as one host, the port is the client's choice).
 * `request.ip` is the proxy-derived address when TRUST_PROXY is set, the socket's otherwise
 * (AS-71); Koa's own `ctx.ip` would trust X-Forwarded-For, so the Fastify one is carried over.
 */
export function registrationLimit(app: FastifyInstance, limiter: RateLimiter, limits: AuthLimits): BeforeRegistration {
  const callerIp = new WeakMap<IncomingMessage, string>();

  app.addHook('onRequest', async (request, reply) => {
    if (request.method !== 'POST' || !(request.url === '/register' || request.url.startsWith('/register?'))) return;
    callerIp.set(request.raw, request.ip);
    const verdict = await limiter.consume(limits.registerPerIp, request.ip);
    if (verdict.allowed) return;
    // RFC 6585 §4 + RFC 7591 §3.2.2's JSON error shape; CORS as on every /register answer.
    return reply
      .code(429)
      .headers({ 'retry-after': String(verdict.retryAfterSeconds), 'access-control-allow-origin': '*', 'cache-control': 'no-store' })
      .send({ error: 'temporarily_unavailable', error_description: REFUSAL });
  });

  return async (ctx) => {
    const caller = registrationCaller(callerIp.get(ctx.req) ?? ctx.ip, ctx.oidc.body ?? {});
    for (const [rule, subject] of [[limits.registerPerCaller, caller], [limits.registerGlobal, '*']] as const) {
      const verdict = await limiter.consume(rule, subject);
      if (verdict.allowed) continue;
      ctx.set('retry-after', String(verdict.retryAfterSeconds));
      throw new TooManyRequests(REFUSAL, verdict.retryAfterSeconds);
    }
  };
}

/** A bounded, opaque counter key for (IP, client software, redirect hosts). */
export function registrationCaller(ip: string, body: Record<string, unknown>): string {
  const text = (value: unknown) => (typeof value === 'string' ? value.slice(0, MAX_SOFTWARE_CHARS) : undefined);
  const software = text(body.software_id) ?? text(body.client_name) ?? '';
  const uris = Array.isArray(body.redirect_uris) ? body.redirect_uris : [];
  const hosts = [...new Set(uris.map((uri) => {
    const url = typeof uri === 'string' ? URL.parse(uri) : null;
    if (!url) return '?';
    return isLoopbackLiteral(url.hostname) ? 'loopback' : url.host.toLowerCase();
  }))].sort();
  return createHash('sha256').update(JSON.stringify([ip, software, hosts])).digest('base64url');
}
