import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';

import { exportJWK, generateKeyPair, type CryptoKey, type JWK } from 'jose';
import { generate } from 'selfsigned';
import { Agent, fetch as undiciFetch } from 'undici';

import type { DevFetch } from '../../src/provider/provider-fetch.js';

/** A canned answer, or `handler` for misbehaving hosts (stalls, endless bodies). */
type Route = { status?: number; headers?: Record<string, string>; body?: unknown; handler?: (request: IncomingMessage, response: ServerResponse) => void };

/**
 * A client's home on loopback over https with a certificate made at test time: serves Client ID
 * Metadata Documents and a JWKS the way chatgpt.com does. `devFetch` trusts that certificate, so
 * the auth app reaches it only through the CIMD_DEV_ALLOW path; every other fetch still goes
 * through oidc-provider's SSRF guard.
 */
export type CimdHost = {
  origin: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
  routes: Map<string, Route>;
  hits: Map<string, number>;
  devFetch: DevFetch;
  /** A ChatGPT-shaped document for `${origin}${path}`. */
  chatgptDocument(path: string, overrides?: Record<string, unknown>): Record<string, unknown>;
  close(): Promise<void>;
};

export async function startCimdHost(): Promise<CimdHost> {
  const pems = await generate([{ name: 'commonName', value: '127.0.0.1' }], {
    keyType: 'ec',
    curve: 'P-256',
    extensions: [
      { name: 'basicConstraints', cA: true },
      { name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] },
    ],
  });
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const publicJwk = { ...(await exportJWK(publicKey)), kid: 'client-key-1', alg: 'RS256', use: 'sig' };

  const routes = new Map<string, Route>();
  const hits = new Map<string, number>();
  routes.set('/jwks.json', { body: { keys: [publicJwk] } });

  const server: Server = createServer({ key: pems.private, cert: pems.cert }, (request, response) => {
    const path = (request.url ?? '/').split('?')[0] as string;
    hits.set(path, (hits.get(path) ?? 0) + 1);
    const route = routes.get(path);
    if (!route) {
      response.writeHead(404).end();
      return;
    }
    if (route.handler) {
      route.handler(request, response);
      return;
    }
    const body = typeof route.body === 'string' ? route.body : JSON.stringify(route.body ?? {});
    response.writeHead(route.status ?? 200, { 'content-type': 'application/json', ...route.headers }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `https://127.0.0.1:${(server.address() as { port: number }).port}`;

  const agent = new Agent({ connect: { ca: pems.cert } });
  const devFetch: DevFetch = async (url, init) =>
    (await undiciFetch(url, { ...(init as Parameters<typeof undiciFetch>[1]), dispatcher: agent })) as unknown as Response;

  return {
    origin,
    privateKey,
    publicJwk,
    routes,
    hits,
    devFetch,
    chatgptDocument(path, overrides = {}) {
      return {
        client_id: `${origin}${path}`,
        client_name: 'ChatGPT',
        client_uri: 'https://chatgpt.com',
        redirect_uris: ['https://chatgpt.com/connector_platform_oauth_redirect'],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        token_endpoint_auth_method: 'private_key_jwt',
        token_endpoint_auth_signing_alg: 'RS256',
        jwks_uri: `${origin}/jwks.json`,
        ...overrides,
      };
    },
    async close() {
      await agent.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
