import type { FastifyInstance } from 'fastify';
import { errors } from 'oidc-provider';

export type Form = Record<string, string | undefined>;

/** Our forms are small; anything bigger is not one of them. */
const FORM_BODY_LIMIT_BYTES = 8 * 1024;

/** Parses urlencoded forms for the routes of this (encapsulated) plugin only. */
export function acceptForms(scope: FastifyInstance): void {
  scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: FORM_BODY_LIMIT_BYTES }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });
}

/**
 * Same-origin form posts only: a browser always sends Origin on a cross-origin POST, and
 * SameSite=Lax alone does not stop a sibling subdomain (AS-56). The CSRF token is checked by the
 * caller, which knows what it is bound to.
 */
export function assertSameOrigin(origin: string | undefined, issuer: string): void {
  if (origin !== undefined && origin !== new URL(issuer).origin) throw new errors.InvalidRequest('cross-origin form post refused');
}
