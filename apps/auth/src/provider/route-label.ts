import { routePattern, UNMATCHED_ROUTE } from '@omnichat/metrics';
import type { FastifyRequest } from 'fastify';

import { PROVIDER_MOUNT } from './mount.js';

/**
 * oidc-provider's endpoints as this configuration serves them (routes.registration is /register),
 * all behind the one catch-all Fastify route of mount.ts.
 */
const PROVIDER_ROUTES = new Set([
  '/.well-known/openid-configuration',
  '/.well-known/oauth-authorization-server',
  '/auth',
  '/token',
  '/token/introspection',
  '/token/revocation',
  '/jwks',
  '/register',
  '/me',
  '/request',
  '/session/end',
  '/session/end/confirm',
  '/session/end/success',
]);
const RESUME_ROUTE = '/auth/:uid';

/**
 * The `route` label of an auth-app request: Fastify's pattern for our own routes; for the provider
 * mount, the endpoint from the fixed list above (the resume step as its pattern). Anything else
 * is UNMATCHED_ROUTE, so no client-chosen path ever becomes a label value.
 */
export function authRouteLabel(request: FastifyRequest): string {
  if (request.routeOptions.url !== PROVIDER_MOUNT) return routePattern(request);
  const query = request.url.indexOf('?');
  const path = query === -1 ? request.url : request.url.slice(0, query);
  if (PROVIDER_ROUTES.has(path)) return path;
  if (path.startsWith('/auth/') && path.length > 6 && !path.includes('/', 6)) return RESUME_ROUTE;
  return UNMATCHED_ROUTE;
}
