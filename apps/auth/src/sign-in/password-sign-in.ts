import { audit } from '@omnichat/audit';
import { normaliseEmail } from '@omnichat/db';
import type { ConnectionEventInput } from '@omnichat/doctor';
import type { FastifyReply, FastifyRequest } from 'fastify';

import type { AuthConfig } from '../config.js';
import type { Form } from '../forms/form-guard.js';
import { throttledMessage } from '../limits/login-throttle.js';
import { authenticate, BAD_CREDENTIALS } from './authenticate.js';
import type { SignInRouteDeps } from './deps.js';

/** What the sign-in pages say to a password form posted while PASSWORD_SIGN_IN=false. */
export const PASSWORD_SIGN_IN_OFF = 'Signing in with a password is turned off here. Use one of the options above.';

/** Where a password sign-in happens: an oidc-provider interaction, or the account page. */
export type SignInPlace = {
  /** Where its steps live: `/interaction/<uid>` or `/account`. */
  base: string;
  /** Fields that tell this sign-in apart in the log (the interaction's uid). */
  logFields: Record<string, string>;
  /** The client the sign-in is for, on the audit line (none on the account page). */
  clientId?: string | undefined;
  /** The sign-in page again, with the email typed and what went wrong. */
  page(status: number, extra: { email?: string; error?: string }): Promise<FastifyReply>;
  /** After a right password: the second-factor step under `base` to go to, or undefined (mfa/wire.ts). */
  afterPassword(accountId: string): Promise<string | undefined>;
  /** Completes the sign-in the way this place does (interactionFinished, or a new account session). */
  finish(accountId: string): Promise<FastifyReply>;
};

type SequenceDeps = Pick<SignInRouteDeps<unknown>, 'prisma' | 'loginThrottle' | 'metrics'>;

/**
 * The password step, the same wherever one signs in: refused while PASSWORD_SIGN_IN=false; the
 * backoff per account and per IP checked before the password is even looked at (AS-53); one
 * answer for an unknown email and a wrong password (AS-54); then the second factor when the
 * account has or needs one, else the sign-in completes. Every outcome is counted and audited.
 */
export function passwordSignIn(config: AuthConfig, deps: SequenceDeps) {
  return async (request: FastifyRequest<{ Body: Form }>, reply: FastifyReply, place: SignInPlace): Promise<FastifyReply> => {
    if (!config.passwordSignIn) return place.page(403, { error: PASSWORD_SIGN_IN_OFF });
    // The connection doctor's sign-in step, for a sign-in on behalf of a client (never the password).
    const recordStep = (step: Omit<ConnectionEventInput, 'step' | 'clientId' | 'source'>) => {
      if (place.clientId !== undefined) request.server.doctor.record({ ...step, step: 'sign-in', clientId: place.clientId, source: request.ip });
    };
    const email = request.body.email ?? '';
    const throttleKey = normaliseEmail(email);
    const waitSeconds = (await deps.loginThrottle?.waitSeconds(throttleKey, request.ip)) ?? 0;
    if (waitSeconds > 0) {
      request.log.info({ ...place.logFields, waitSeconds }, 'sign-in throttled');
      deps.metrics?.signIn('rate_limited');
      audit(request.log, { event: 'sign_in.failed', reason: 'rate_limited', clientId: place.clientId });
      recordStep({ outcome: 'failed', rule: 'sign-in.failed', detail: 'sign-in throttled', facts: { reason: 'rate_limited' } });
      reply.header('retry-after', String(waitSeconds));
      return place.page(429, { email, error: throttledMessage(waitSeconds) });
    }
    const accountId = await authenticate(deps.prisma, email, request.body.password ?? '');
    if (!accountId) {
      await deps.loginThrottle?.failed(throttleKey, request.ip);
      request.log.info(place.logFields, 'sign-in refused');
      deps.metrics?.signIn('bad_credentials');
      audit(request.log, { event: 'sign_in.failed', reason: 'bad_credentials', clientId: place.clientId });
      recordStep({ outcome: 'failed', rule: 'sign-in.failed', detail: 'wrong email or password', facts: { reason: 'bad_credentials' } });
      return place.page(401, { email, error: BAD_CREDENTIALS });
    }
    await deps.loginThrottle?.succeeded(throttleKey);
    const factorStep = await place.afterPassword(accountId);
    recordStep({ outcome: 'ok', userId: accountId, detail: factorStep ? `password accepted; second factor asked (${factorStep})` : 'signed in with password' });
    // Counted once complete: a second factor still to come is counted in mfa/second-step.ts.
    if (factorStep) return reply.code(303).header('location', `${place.base}/${factorStep}`).header('cache-control', 'no-store').send();
    deps.metrics?.signIn('succeeded');
    audit(request.log, { event: 'sign_in.succeeded', accountId, clientId: place.clientId });
    return place.finish(accountId);
  };
}
