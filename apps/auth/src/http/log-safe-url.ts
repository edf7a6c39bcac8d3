import type { FastifyRequest } from 'fastify';

const CALLBACK = /^\/sso\/[^/?]+\/callback(?=\?)/;

/**
 * The URL as the access log may show it: our SSO callback's query carries the IdP's authorization
 * code and our state, so only its path is kept (`?[redacted]` says there was one).
 */
export function logSafeUrl(url: string): string {
  const match = CALLBACK.exec(url);
  return match ? `${match[0]}?[redacted]` : url;
}

/** Fastify's own request serializer, with logSafeUrl applied. */
export function serializeRequest(request: FastifyRequest) {
  return {
    method: request.method,
    url: logSafeUrl(request.url),
    version: [request.headers?.['accept-version']].flat()[0],
    host: request.host,
    remoteAddress: request.ip,
    remotePort: request.socket?.remotePort,
  };
}
