import type { IncomingMessage, ServerResponse } from 'node:http';

import type Provider from 'oidc-provider';

import { providerCookieOptions } from '../http/cookies.js';

/** How long a sign-in lasts (oidc-provider's ttl.Session is set to the same, configuration.ts). */
export const SESSION_TTL_SECONDS = 14 * 24 * 3600;

type Raw = { req: IncomingMessage; res: ServerResponse };
/** Members of oidc-provider's Session model its type definitions leave out. */
type SessionModel = Awaited<ReturnType<Provider['Session']['get']>> & { readonly new?: boolean; id: string };

const sessionOf = async (provider: Provider, ctx: ReturnType<Provider['createContext']>) =>
  (await provider.Session.get(ctx)) as SessionModel;

/**
 * The account page shares oidc-provider's session (one sign-in for the consent flow and the
 * account page), read and written through its public models: `Session.get` reads the signed
 * session cookie exactly as the provider does.
 */
export async function currentSession(provider: Provider, { req, res }: Raw) {
  const session = await provider.Session.get(provider.createContext(req, res));
  return session.accountId ? session : undefined;
}

/**
 * Signs an account in from the account page: what oidc-provider's own session middleware does
 * after an interaction. A new session id is issued so a planted cookie never becomes a signed-in
 * session (AS-59). Another account's session is ended, never carried over: its client
 * authorizations name that account's grants (oidc-provider refuses a grant of another account
 * with a 500), and ending it revokes nothing (a session change is not a disconnect). `amr` is how
 * the user signed in (sign-in/amr.ts): an authorization reusing the session puts it in the
 * ID token, as after an interaction's `login.amr`.
 */
export async function startSession(provider: Provider, raw: Raw, issuer: string, accountId: string, amr: readonly string[]): Promise<void> {
  const ctx = provider.createContext(raw.req, raw.res);
  let session = await sessionOf(provider, ctx);
  if (session.accountId && session.accountId !== accountId) {
    await session.destroy();
    session = new provider.Session() as SessionModel;
  }
  if (!session.new) session.resetIdentifier();
  session.loginAccount({ accountId, amr: [...amr], transient: false });
  await session.save(SESSION_TTL_SECONDS);
  ctx.cookies.set(provider.cookieName('session'), session.id, { ...providerCookieOptions(issuer).long, maxAge: SESSION_TTL_SECONDS * 1000 });
}

/** Signs out: the session row goes (so the cookie is worthless) and the cookie is cleared. */
export async function endSession(provider: Provider, raw: Raw, issuer: string): Promise<void> {
  const ctx = provider.createContext(raw.req, raw.res);
  const session = await sessionOf(provider, ctx);
  if (!session.new) await session.destroy();
  ctx.cookies.set(provider.cookieName('session'), null, providerCookieOptions(issuer).long);
}
