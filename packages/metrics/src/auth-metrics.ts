import { Counter, type Registry } from 'prom-client';

import { createAppRegistry } from './registry.js';

/** How a sign-in ended (the audit trail's sign_in.* events). */
export type SignInOutcome = 'succeeded' | 'bad_credentials' | 'rate_limited';
/** Dynamic client registration (RFC 7591) or a Client ID Metadata Document fetched and accepted. */
export type RegistrationKind = 'dcr' | 'cimd';

/** Grant types the token endpoint serves; anything else (never expected) counts as `other`. */
const GRANT_TYPES = new Set(['authorization_code', 'refresh_token']);

/** The authorization server's own series. Every label value comes from a fixed set. */
export type AuthMetrics = {
  registry: Registry;
  tokenIssued(grantType: string): void;
  signIn(outcome: SignInOutcome): void;
  clientRegistered(kind: RegistrationKind): void;
  refreshReuseDetected(): void;
  /** `limit` is a rule's configured name (`register-ip`, `login-account`, ...), never a subject. */
  rateLimited(limit: string): void;
};

export function createAuthMetrics(registry: Registry = createAppRegistry('auth')): AuthMetrics {
  const registers = [registry];
  const tokens = new Counter({ name: 'omnichat_tokens_issued_total', help: 'Successful token responses, by grant type.', labelNames: ['grant_type'] as const, registers });
  const signIns = new Counter({ name: 'omnichat_sign_ins_total', help: 'Sign-in attempts on the sign-in and account pages, by outcome.', labelNames: ['outcome'] as const, registers });
  const registrations = new Counter({ name: 'omnichat_client_registrations_total', help: 'Clients registered (dcr) or client metadata documents fetched and accepted (cimd).', labelNames: ['kind'] as const, registers });
  const reuse = new Counter({ name: 'omnichat_refresh_reuse_detected_total', help: 'Refresh tokens presented again after rotation (outside the grace window): the grant was revoked.', registers });
  const limited = new Counter({ name: 'omnichat_rate_limited_total', help: 'Requests refused by an abuse limit, by limit name.', labelNames: ['limit'] as const, registers });
  // Known label values start at 0, so a rate() exists before the first event.
  for (const outcome of ['succeeded', 'bad_credentials', 'rate_limited'] satisfies SignInOutcome[]) signIns.inc({ outcome }, 0);
  for (const kind of ['dcr', 'cimd'] satisfies RegistrationKind[]) registrations.inc({ kind }, 0);
  for (const grantType of GRANT_TYPES) tokens.inc({ grant_type: grantType }, 0);
  return {
    registry,
    tokenIssued: (grantType) => tokens.inc({ grant_type: GRANT_TYPES.has(grantType) ? grantType : 'other' }),
    signIn: (outcome) => signIns.inc({ outcome }),
    clientRegistered: (kind) => registrations.inc({ kind }),
    refreshReuseDetected: () => reuse.inc(),
    rateLimited: (limit) => limited.inc({ limit }),
  };
}
