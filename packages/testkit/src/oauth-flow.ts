import * as oauth from 'openid-client';

import { TestBrowser, csrfFrom, formActions, type PageResult } from './test-browser.js';

export const CHATGPT_REDIRECT_URI = 'https://chatgpt.com/connector_platform_oauth_redirect';

export type Decision = 'allow' | 'deny';

/**
 * Walks an authorization request through our pages like a user: sign in when asked, then allow or
 * deny consent. Returns the final response, whose `location` is the client's redirect (or the page
 * we stopped on when there was no redirect).
 */
export async function authorizeInBrowser(
  browser: TestBrowser,
  authorizationUrl: URL | string,
  user: { email: string; password: string; decision?: Decision },
): Promise<PageResult> {
  let page = await browser.follow(String(authorizationUrl));
  for (let steps = 0; steps < 4; steps += 1) {
    if (page.status >= 300 && page.status < 400) return page;
    const actions = formActions(page.body);
    const login = actions.find((action) => action.endsWith('/login'));
    const confirm = actions.find((action) => action.endsWith('/confirm'));
    const abort = actions.find((action) => action.endsWith('/abort'));
    if (login) {
      page = await browser.follow(login, { form: { csrf: csrfFrom(page.body), email: user.email, password: user.password } });
    } else if (confirm && abort) {
      page = await browser.follow(user.decision === 'deny' ? abort : confirm, { form: { csrf: csrfFrom(page.body) } });
    } else {
      return page;
    }
  }
  throw new Error('authorization did not finish');
}

export type ObtainedTokens = {
  config: oauth.Configuration;
  clientId: string;
  accessToken: string;
  refreshToken: string | undefined;
  scope: string | undefined;
  browser: TestBrowser;
};

/**
 * Registers a public client (DCR, ChatGPT-shaped), signs in, consents and redeems the code with
 * openid-client: how a test gets real tokens from a running auth app.
 */
export async function obtainTokens(options: {
  issuer: string;
  email: string;
  password: string;
  resource: string;
  scope?: string;
  redirectUri?: string;
  browser?: TestBrowser;
}): Promise<ObtainedTokens> {
  const redirectUri = options.redirectUri ?? CHATGPT_REDIRECT_URI;
  const config = await registerClient(options.issuer, { redirect_uris: [redirectUri], token_endpoint_auth_method: 'none' });
  const browser = options.browser ?? new TestBrowser(options.issuer);
  const verifier = oauth.randomPKCECodeVerifier();
  const state = oauth.randomState();
  const url = oauth.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    ...(options.scope === undefined ? {} : { scope: options.scope }),
    resource: options.resource,
    state,
    code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
  });
  const result = await authorizeInBrowser(browser, url, options);
  if (!result.location?.startsWith(redirectUri)) throw new Error(`authorization failed: ${result.status} ${result.location ?? result.body.slice(0, 200)}`);
  const tokens = await oauth.authorizationCodeGrant(config, new URL(result.location), { pkceCodeVerifier: verifier, expectedState: state }, { resource: options.resource });
  return {
    config,
    clientId: config.clientMetadata().client_id,
    accessToken: tokens.access_token,
    refreshToken: tokens.refresh_token,
    scope: tokens.scope,
    browser,
  };
}

/** RFC 7591 registration through openid-client (plain http is allowed: tests run on loopback). */
export async function registerClient(issuer: string, metadata: Partial<oauth.ClientMetadata>): Promise<oauth.Configuration> {
  return oauth.dynamicClientRegistration(
    new URL(issuer),
    { grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'], client_name: 'Test client', ...metadata },
    undefined,
    { execute: [oauth.allowInsecureRequests], algorithm: 'oauth2' },
  );
}
