import * as oauth from 'openid-client';

import { TestBrowser } from './test-browser.js';
import { CHATGPT_REDIRECT_URI as RU, authorizeInBrowser } from './oauth-flow.js';

export { RU };
export type Pkce = { verifier: string; challenge: string };
export type Json = Record<string, unknown>;

export async function pkce(): Promise<Pkce> {
  const verifier = oauth.randomPKCECodeVerifier();
  return { verifier, challenge: await oauth.calculatePKCECodeChallenge(verifier) };
}

/** A dynamic registration (POST /register) with the given metadata. */
export async function register(base: string, extra: Json = {}, headers: Record<string, string> = {}): Promise<{ status: number; headers: Headers; body: Json }> {
  const response = await fetch(`${base}/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ redirect_uris: [RU], grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'], token_endpoint_auth_method: 'none', client_name: 't', ...extra }),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as Json };
}

export async function publicClient(base: string): Promise<string> {
  const { status, body } = await register(base);
  if (status !== 201) throw new Error(`registration failed: ${status} ${JSON.stringify(body)}`);
  return body.client_id as string;
}

/** AUTHZ{…}: overrides replace, `null` drops a parameter. */
export function authz(base: string, clientId: string, p: Pkce, resource: string, overrides: Record<string, string | null> = {}): string {
  const params: Record<string, string | null> = {
    response_type: 'code', client_id: clientId, redirect_uri: RU, scope: 'files:read', resource,
    state: 's1', code_challenge: p.challenge, code_challenge_method: 'S256', ...overrides,
  };
  return `${base}/auth?${new URLSearchParams(Object.entries(params).filter((e): e is [string, string] => e[1] !== null))}`;
}

/**
 * POST /token with a form body (a public client puts its client_id there). A body that is not JSON
 * comes back as `{ raw }`; `Body` types the JSON a test expects.
 */
export async function token<Body = Json>(base: string, form: Record<string, string>): Promise<{ status: number; headers: Headers; body: Body }> {
  const response = await fetch(`${base}/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form) });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: (text.startsWith('{') ? JSON.parse(text) : { raw: text }) as Body };
}

/** Signs in and consents in a fresh browser; returns the authorization code. `overrides` as for `authz`. */
export async function codeFor(
  base: string,
  clientId: string,
  p: Pkce,
  resource: string,
  user: { email: string; password: string },
  overrides: Record<string, string | null> = {},
): Promise<string> {
  const result = await authorizeInBrowser(new TestBrowser(base), authz(base, clientId, p, resource, overrides), user);
  const code = URL.parse(result.location ?? '')?.searchParams.get('code');
  if (!code) throw new Error(`no code: ${result.status} ${result.location ?? result.body.slice(0, 300)}`);
  return code;
}

/** A code redeemed for tokens: the refresh token and access token of a fresh grant. */
export async function tokensFor(base: string, clientId: string, resource: string, user: { email: string; password: string }): Promise<Json> {
  const p = await pkce();
  const code = await codeFor(base, clientId, p, resource, user);
  const { status, body } = await token(base, { grant_type: 'authorization_code', code, redirect_uri: RU, code_verifier: p.verifier, client_id: clientId });
  if (status !== 200) throw new Error(`redemption failed: ${status} ${JSON.stringify(body)}`);
  return body;
}
