import { createHash, timingSafeEqual } from 'node:crypto';

import type { PrismaClient, SsoLogin } from '@omnichat/db';
import * as oidc from 'openid-client';

/** A sign-in at the IdP must come back within this long (our interactions live 10 minutes too). */
export const PENDING_TTL_SECONDS = 600;
const COOKIE_PREFIX = 'omnichat_sso_';
/** openid-client's randomState(): 32 random bytes, base64url. */
const STATE = /^[A-Za-z0-9_-]{43}$/;

const digest = (state: string) => createHash('sha256').update(state).digest('hex');

/** Cookie name per attempt, so two tabs signing in at once do not overwrite each other's. */
const cookieName = (state: string) => `${COOKIE_PREFIX}${digest(state).slice(0, 16)}`;

export type Started = { state: string; nonce: string; codeChallenge: string; setCookie: string };

/**
 * Records one attempt: state, nonce and PKCE verifier are fresh random values (openid-client).
 * The row is keyed by SHA-256 of the state; the browser holds the state itself in a short,
 * HttpOnly cookie scoped to /sso/, which binds the callback to the browser that started it
 * (RFC 9700 §4.7: state is bound to the user agent).
 */
export async function startPendingLogin(
  prisma: PrismaClient,
  input: { providerId: string; interactionUid: string | null; secure: boolean; now: Date },
): Promise<Started> {
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const codeVerifier = oidc.randomPKCECodeVerifier();
  await prisma.ssoLogin.create({
    data: {
      id: digest(state),
      providerId: input.providerId,
      nonce,
      codeVerifier,
      interactionUid: input.interactionUid,
      expiresAt: new Date(input.now.getTime() + PENDING_TTL_SECONDS * 1000),
    },
  });
  return {
    state,
    nonce,
    codeChallenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
    setCookie: `${cookieName(state)}=${state}; Path=/sso/; Max-Age=${PENDING_TTL_SECONDS}; HttpOnly; SameSite=Lax${input.secure ? '; Secure' : ''}`,
  };
}

/** Clears the attempt's cookie, whatever the outcome. */
export function clearPendingCookie(state: string, secure: boolean): string {
  return `${cookieName(state)}=; Path=/sso/; Max-Age=0; HttpOnly; SameSite=Lax${secure ? '; Secure' : ''}`;
}

export type Claimed =
  | { ok: true; login: SsoLogin }
  | { ok: false; reason: 'bad_state' | 'replayed' | 'expired'; login?: SsoLogin | undefined };

function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/**
 * The callback's state, checked and spent: well-formed, equal to this browser's cookie for it,
 * known, unexpired and not used before. Spending is one conditional UPDATE, so of two
 * simultaneous callbacks (or a replay) exactly one proceeds, whichever replica serves it.
 */
export async function claimPendingLogin(prisma: PrismaClient, state: unknown, cookieHeader: string | undefined, now: Date): Promise<Claimed> {
  if (typeof state !== 'string' || !STATE.test(state)) return { ok: false, reason: 'bad_state' };
  const id = digest(state);
  const presented = cookieValue(cookieHeader, cookieName(state));
  if (!presented || presented.length !== state.length || !timingSafeEqual(Buffer.from(presented), Buffer.from(state))) {
    // The cookie is cleared by the first callback: a spent state coming back is a replay.
    const seen = await prisma.ssoLogin.findUnique({ where: { id } });
    return seen?.consumedAt ? { ok: false, reason: 'replayed', login: seen } : { ok: false, reason: 'bad_state' };
  }
  const spent = await prisma.ssoLogin.updateMany({ where: { id, consumedAt: null, expiresAt: { gt: now } }, data: { consumedAt: now } });
  const login = await prisma.ssoLogin.findUnique({ where: { id } });
  if (!login) return { ok: false, reason: 'bad_state' };
  if (spent.count === 1) return { ok: true, login };
  return { ok: false, reason: login.consumedAt ? 'replayed' : 'expired', login };
}

/** Marks the verified account on the attempt, for the interaction step that finishes it. */
export async function recordVerifiedAccount(prisma: PrismaClient, id: string, accountId: string): Promise<void> {
  await prisma.ssoLogin.update({ where: { id }, data: { accountId } });
}

/**
 * The account a verified attempt signs this interaction in as, once: the step runs under the
 * interaction's own path, where oidc-provider's interaction cookie proves the browser owns it.
 */
export async function takeVerifiedAccount(prisma: PrismaClient, interactionUid: string, now: Date): Promise<string | undefined> {
  const login = await prisma.ssoLogin.findFirst({
    where: { interactionUid, accountId: { not: null }, consumedAt: { not: null }, finishedAt: null, expiresAt: { gt: now } },
    orderBy: { consumedAt: 'desc' },
  });
  if (!login?.accountId) return undefined;
  const taken = await prisma.ssoLogin.updateMany({ where: { id: login.id, finishedAt: null }, data: { finishedAt: now } });
  return taken.count === 1 ? login.accountId : undefined;
}

/** Rows past their expiry (an hour later, so a replay is still told apart from nonsense for a while). */
export async function sweepPendingLogins(prisma: PrismaClient, now: Date): Promise<number> {
  const { count } = await prisma.ssoLogin.deleteMany({ where: { expiresAt: { lt: new Date(now.getTime() - 3600_000) } } });
  return count;
}
