import type { PrismaClient, User } from '@omnichat/db';
import type { FastifyBaseLogger } from 'fastify';

import { audit } from '@omnichat/audit';
import { authenticate } from '../sign-in/authenticate.js';
import type { Form } from '../forms/form-guard.js';
import { throttledMessage, type LoginThrottle } from '../limits/login-throttle.js';
import { factorsOf } from './factors.js';
import { verifyTotp } from './totp.js';

/** Which proofs this account can give: a code when it has an authenticator app, its password when it has one. */
export type Proofs = { code: boolean; password: boolean };

/**
 * `ask`: no proof sent yet (the first click), show the confirm page; `refused`: a wrong, replayed
 * or throttled proof (status and message for the page again); `ok`: go ahead.
 */
export type StepUpVerdict = { kind: 'ok' } | { kind: 'ask'; proofs: Proofs } | { kind: 'refused'; proofs: Proofs; status: number; error: string; retryAfter?: number };

type Deps = { prisma: PrismaClient; keyEncryptionSecret: string; loginThrottle?: LoginThrottle | undefined };

/**
 * A signed-in session alone does not remove a second factor (a stolen cookie must not): a fresh
 * code from the authenticator app (one not used before: the sign-in's own code is a replay) or
 * the current password. Guesses share the second step's backoff key (AS-53).
 */
export async function checkStepUp(deps: Deps, log: FastifyBaseLogger, ip: string, user: User, form: Form): Promise<StepUpVerdict> {
  const proofs: Proofs = { code: (await factorsOf(deps.prisma, user.id)).totp, password: user.passwordHash !== null };
  const code = (proofs.code ? form.code : undefined)?.trim() ?? '';
  const password = (proofs.password ? form.password : undefined) ?? '';
  if (form.code === undefined && form.password === undefined) return { kind: 'ask', proofs };
  if (!code && !password) return { kind: 'refused', proofs, status: 400, error: proofs.code ? 'Enter a code from your authenticator app or your password.' : 'Enter your password.' };
  const throttleKey = `mfa:${user.id}`;
  const waitSeconds = (await deps.loginThrottle?.waitSeconds(throttleKey, ip)) ?? 0;
  if (waitSeconds > 0) return { kind: 'refused', proofs, status: 429, error: throttledMessage(waitSeconds), retryAfter: waitSeconds };
  if (code) {
    const verdict = await verifyTotp(deps.prisma, deps.keyEncryptionSecret, user.id, code);
    if (verdict === 'ok') {
      await deps.loginThrottle?.succeeded(throttleKey);
      return { kind: 'ok' };
    }
    await deps.loginThrottle?.failed(throttleKey, ip);
    audit(log, { event: 'mfa.factor_failed', accountId: user.id, factor: 'totp', reason: verdict });
    return { kind: 'refused', proofs, status: 401, error: verdict === 'replayed' ? 'That code was already used. Wait for the next one.' : 'That code is not right.' };
  }
  if ((await authenticate(deps.prisma, user.email, password)) === user.id) {
    await deps.loginThrottle?.succeeded(throttleKey);
    return { kind: 'ok' };
  }
  await deps.loginThrottle?.failed(throttleKey, ip);
  log.info({ accountId: user.id }, 'factor change refused: password wrong');
  return { kind: 'refused', proofs, status: 401, error: 'That password is not right.' };
}
