import type { IncomingMessage, ServerResponse } from 'node:http';

import type { FastifyInstance } from 'fastify';

/** The catch-all route pattern the provider is mounted on (metrics name its endpoints: route-label.ts). */
export const PROVIDER_MOUNT = '/*';

/**
 * Mounts oidc-provider at the root (the issuer has no path, so discovery URLs stay simple).
 * Our own routes are declared first and win over this catch-all. Fastify must not read the
 * provider's bodies: oidc-provider parses them itself, with its own 56 KiB cap and its own
 * errors (AS-42), and warns when it finds them pre-parsed. `handle` is the live provider's
 * dispatcher, so a provider rebuilt after a key rotation takes the next request.
 */
export async function mountProvider(app: FastifyInstance, handle: (request: IncomingMessage, response: ServerResponse) => void): Promise<void> {
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, _payload, done) => done(null));

    // RFC 7591 registration is open and credential-free, so any origin may call it (browser MCP clients).
    scope.options('/register', async (request, reply) => {
      reply
        .header('access-control-allow-origin', '*')
        .header('access-control-allow-methods', 'POST')
        .header('access-control-allow-headers', 'content-type')
        .header('access-control-max-age', '600')
        .code(204)
        .send();
    });

    scope.all(PROVIDER_MOUNT, (request, reply) => {
      if (request.url === '/register' || request.url.startsWith('/register?')) {
        reply.raw.setHeader('access-control-allow-origin', '*');
      }
      reply.hijack();
      handle(request.raw, reply.raw);
    });
  });
}
