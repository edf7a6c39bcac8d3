import type { FastifyInstance } from 'fastify';

/** One year (RFC 6797); only sent when the issuer is https (a browser ignores it over http anyway). */
const HSTS = 'max-age=31536000; includeSubDomains';

/**
 * What every request and response of the app gets, before any route runs.
 *
 * The issuer is the app's only public origin, so the request is made to say so: `Host` becomes the
 * issuer's host, `X-Forwarded-Proto` its scheme, and `X-Forwarded-Host` is dropped. oidc-provider
 * builds every absolute URL it emits (discovery endpoints, resume redirects, client-assertion
 * audiences) from the request (`ctx.href`), so an unchecked Host header would otherwise put an
 * attacker's host into the metadata and Location headers (RFC 9700 §4.13 and §4.4, docs/security.md
 * AS-24, AS-71). It also means an https issuer behind a TLS proxy gets Secure cookies even when
 * the proxy sends no X-Forwarded-Proto.
 *
 * Baseline headers go on the raw response, so they also cover what oidc-provider renders itself
 * (its /session/end page); our own pages set a full CSP that replaces the frame-ancestors one
 * (AS-61).
 */
export function installEdge(app: FastifyInstance, issuer: string): void {
  const { host, protocol } = new URL(issuer);
  const https = protocol === 'https:';
  app.addHook('onRequest', async (request, reply) => {
    const headers = request.raw.headers;
    headers.host = host;
    headers['x-forwarded-proto'] = https ? 'https' : 'http';
    delete headers['x-forwarded-host'];
    const response = reply.raw;
    response.setHeader('x-frame-options', 'DENY');
    response.setHeader('content-security-policy', "frame-ancestors 'none'");
    response.setHeader('x-content-type-options', 'nosniff');
    response.setHeader('referrer-policy', 'same-origin');
    if (https) response.setHeader('strict-transport-security', HSTS);
  });
}
