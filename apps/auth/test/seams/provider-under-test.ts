// A real oidc-provider on loopback, with its own in-memory adapter and one public client: what the
// seam contract tests drive, so each pins the library behaviour its seam relies on.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

import Provider, { type ClientMetadata, type Configuration } from 'oidc-provider';

export const CLIENT_ID = 'seam-client';
export const REDIRECT_URI = 'http://127.0.0.1:1/cb';

/** The one client, public; refresh_token only where the provider registers that grant. */
export const seamClient = (grantTypes: string[]): ClientMetadata => ({ client_id: CLIENT_ID, token_endpoint_auth_method: 'none', redirect_uris: [REDIRECT_URI], grant_types: grantTypes, response_types: ['code'] });

export type ProviderUnderTest = { provider: Provider; issuer: string; close(): Promise<void> };

export async function startProvider(configuration: Configuration = {}, install: (provider: Provider) => void = () => {}): Promise<ProviderUnderTest> {
  let handler: (request: IncomingMessage, response: ServerResponse) => void = (_request, response) => response.end();
  const server: Server = createServer((request, response) => handler(request, response));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const provider = new Provider(issuer, {
    clients: [seamClient(['authorization_code'])],
    pkce: { required: () => true },
    ...configuration,
  });
  install(provider);
  const callback = provider.callback();
  handler = (request, response) => void callback(request, response);
  return { provider, issuer, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** An authorization request's query (PKCE included), with `extra` parameters. */
export function authorizationUrl(issuer: string, extra: Record<string, string>): string {
  const params = new URLSearchParams({
    client_id: CLIENT_ID,
    response_type: 'code',
    redirect_uri: REDIRECT_URI,
    code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    code_challenge_method: 'S256',
    ...extra,
  });
  return `${issuer}/auth?${params}`;
}

/** The interaction uid oidc-provider redirected an authorization request to. */
export async function interactionUid(url: string): Promise<string> {
  const response = await fetch(url, { redirect: 'manual' });
  const location = response.headers.get('location') ?? '';
  const uid = /\/interaction\/([^/?]+)/.exec(location)?.[1];
  if (!uid) throw new Error(`no interaction: ${response.status} ${location} ${await response.text()}`);
  return uid;
}

/** The text of one of oidc-provider's own modules, for contracts on code it does not export. */
export async function librarySource(path: string): Promise<string> {
  return readFile(fileURLToPath(import.meta.resolve(`oidc-provider/${path}`)), 'utf8');
}
