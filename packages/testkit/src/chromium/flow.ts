import * as oauth from 'openid-client';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';

import { CHATGPT_REDIRECT_URI, registerClient } from '../oauth-flow.js';
import { token } from '../oauth-requests.js';

export type PendingAuthorization = { url: URL; state: string; verifier: string; clientId: string };

/** Registers a ChatGPT-shaped public client (DCR) and builds its authorization request. */
export async function chatgptClient(issuer: string, resource: string, clientName = 'ChatGPT') {
  const config = await registerClient(issuer, { redirect_uris: [CHATGPT_REDIRECT_URI], token_endpoint_auth_method: 'none', client_name: clientName });
  const clientId = config.clientMetadata().client_id;
  return {
    clientId,
    async authorization(scope: string): Promise<PendingAuthorization> {
      const verifier = oauth.randomPKCECodeVerifier();
      const state = oauth.randomState();
      const url = oauth.buildAuthorizationUrl(config, {
        redirect_uri: CHATGPT_REDIRECT_URI,
        scope,
        resource,
        state,
        code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
      });
      return { url, state, verifier, clientId };
    },
  };
}

/** Types the credentials into the sign-in form and submits it, as a user would. */
export async function signIn(page: Page, email: string, password: string): Promise<void> {
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

/**
 * Waits until the browser has been sent to the client's redirect URI, and the page has landed
 * there (so the next navigation does not race it); returns that URL.
 */
export async function capturedRedirect(page: Page, redirects: URL[], count = 1): Promise<URL> {
  await expect.poll(() => redirects.length, { timeout: 10_000 }).toBeGreaterThanOrEqual(count);
  await page.waitForURL((url) => url.origin === 'https://chatgpt.com');
  return redirects[count - 1] as URL;
}

export async function redeem(issuer: string, pending: PendingAuthorization, redirect: URL, resource: string) {
  return token(issuer, {
    grant_type: 'authorization_code',
    code: redirect.searchParams.get('code') ?? '',
    redirect_uri: CHATGPT_REDIRECT_URI,
    code_verifier: pending.verifier,
    client_id: pending.clientId,
    resource,
  });
}
