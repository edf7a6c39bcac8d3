// A client walking the whole authorization flow over HTTP the way ChatGPT does: DCR, the browser
// steps (our real login and consent pages, through the auth tests' cookie-jar browser), then the
// code exchange with PKCE and the resource indicator.
import { createHash, randomBytes } from 'node:crypto';
import { TestBrowser, authorizeInBrowser } from '@omnichat/testkit';

// ChatGPT's own callback: allowed by the default policy, and never fetched (the browser stops at it).
export const BENCH_REDIRECT_URI = 'https://chatgpt.com/connector_platform_oauth_redirect';

export type Tokens = { clientId: string; accessToken: string; refreshToken: string };

export type FlowUser = { email: string; password: string };

/** RFC 7591 registration of a public client, as ChatGPT registers itself. */
export async function registerPublicClient(issuer: string): Promise<string> {
  const response = await fetch(`${issuer}/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      client_name: 'Bench client',
      redirect_uris: [BENCH_REDIRECT_URI],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    }),
  });
  if (response.status !== 201) throw new Error(`registration failed: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { client_id: string }).client_id;
}

/** authorize → login → consent → token for an already registered client; a fresh browser session. */
export async function authorizeAndRedeem(issuer: string, resource: string, clientId: string, user: FlowUser): Promise<Tokens> {
  const verifier = randomBytes(32).toString('base64url');
  const state = randomBytes(16).toString('base64url');
  const url = new URL(`${issuer}/auth`);
  url.search = new URLSearchParams({
    client_id: clientId,
    redirect_uri: BENCH_REDIRECT_URI,
    response_type: 'code',
    resource,
    state,
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  }).toString();
  const page = await authorizeInBrowser(new TestBrowser(issuer), url, user);
  const callback = page.location ? new URL(page.location) : undefined;
  const code = callback?.searchParams.get('code');
  if (!callback?.href.startsWith(BENCH_REDIRECT_URI) || !code || callback.searchParams.get('state') !== state) {
    throw new Error(`authorization failed: ${page.status} ${page.location ?? page.body.slice(0, 300)}`);
  }
  const response = await fetch(`${issuer}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: BENCH_REDIRECT_URI,
      code_verifier: verifier,
      client_id: clientId,
      resource,
    }),
  });
  if (response.status !== 200) throw new Error(`code exchange failed: ${response.status} ${await response.text()}`);
  const tokens = (await response.json()) as { access_token: string; refresh_token?: string };
  if (!tokens.refresh_token) throw new Error('no refresh token issued');
  return { clientId, accessToken: tokens.access_token, refreshToken: tokens.refresh_token };
}

/** The full link as a user experiences it: DCR → authorize → login → consent → token. */
export async function linkAccount(issuer: string, resource: string, user: FlowUser): Promise<Tokens> {
  return authorizeAndRedeem(issuer, resource, await registerPublicClient(issuer), user);
}
