import type { FastifyInstance } from 'fastify';
import { errors } from 'oidc-provider';

import type { Branding } from '../views/branding.js';
import { errorPage } from '../views/error-page.js';
import { pageHeaders } from '../views/layout.js';

/**
 * Whatever a route of ours throws becomes the error page: an oidc-provider error keeps its status
 * and code, another 4xx is an invalid_request, anything else a logged server_error. Never a stack
 * trace or internal detail (AS-72).
 */
export function installErrorPage(app: FastifyInstance, branding: Branding): void {
  app.setErrorHandler((error: Error & { statusCode?: number }, request, reply) => {
    const oauth = error instanceof errors.OIDCProviderError;
    const status = oauth ? error.statusCode : error.statusCode && error.statusCode < 500 ? error.statusCode : 500;
    const code = oauth ? error.error : status < 500 ? 'invalid_request' : 'server_error';
    const description = oauth ? error.error_description : undefined;
    if (status >= 500) request.log.error({ err: error }, 'unexpected error');
    else request.log.info({ error: code, detail: description ?? error.message }, 'request refused');
    const body = errorPage({ branding, error: code, description });
    if (reply.raw.headersSent || reply.raw.writableEnded) return;
    // `sent` is also true once a route hijacked the reply (the provider mount): Fastify will send
    // nothing then, so the page goes out on the raw response.
    if (reply.sent) {
      reply.raw.writeHead(status, pageHeaders(branding)).end(body);
      return;
    }
    void reply.code(status).headers(pageHeaders(branding)).send(body);
  });
}
