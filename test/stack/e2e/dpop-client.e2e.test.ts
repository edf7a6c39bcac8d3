// RFC 9449 end to end: openid-client (v6, its DPoP handle) registers (DCR), the user signs in and
// consents on our real pages, the code is redeemed for a DPoP-bound token, and /mcp is called with
// a fresh proof each time; then a DPoP refresh, and what a stolen token or proof cannot do.
import { RESOURCE_SCOPES } from '@omnichat/scopes';
import { calculateJwkThumbprint, decodeJwt, exportJWK, SignJWT } from 'jose';
import * as oauth from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser, type RunningAuthServer } from '@omnichat/auth/testing';
import { TestBrowser, authorizeInBrowser, CHATGPT_REDIRECT_URI, registerClient, PROTOCOL_VERSION, rpc } from '@omnichat/testkit';
import { accessTokenHash, type RunningMcpServer } from '@omnichat/mcp/testing';
import { startStack, type Stack } from '../helpers/stack.js';

const EMAIL = 'dpop-user@example.com';
const PASSWORD = 'a perfectly long passphrase';
const MCP_HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-protocol-version': PROTOCOL_VERSION };

let stack: Stack;
let authServer: RunningAuthServer;
let mcp: RunningMcpServer;
let userId: string;

beforeAll(async () => {
  stack = await startStack();
  ({ auth: authServer, mcp } = stack);
  userId = await createUser(authServer.prisma, EMAIL, PASSWORD);
});
afterAll(async () => stack?.close());

describe('a DPoP client against the real auth and MCP apps', () => {
  it('signs in, gets a bound token, calls whoami with fresh proofs, refreshes, and stolen parts do not work', async () => {
    // The AS says which proof algorithms it takes; the client picks ES256 from them.
    const metadata = await (await fetch(`${authServer.issuer}/.well-known/oauth-authorization-server`)).json() as Record<string, string[]>;
    expect(metadata['dpop_signing_alg_values_supported']).toContain('ES256');
    const prm = await (await fetch(`${mcp.origin}/.well-known/oauth-protected-resource/mcp`)).json() as Record<string, unknown>;
    expect(prm['dpop_bound_access_tokens_required'] ?? false).toBe(false);
    // Every proof algorithm the AS takes is one /mcp verifies.
    expect(prm['dpop_signing_alg_values_supported']).toEqual(expect.arrayContaining(metadata['dpop_signing_alg_values_supported']!));

    const config = await registerClient(authServer.issuer, { redirect_uris: [CHATGPT_REDIRECT_URI], token_endpoint_auth_method: 'none' });
    const keyPair = await oauth.randomDPoPKeyPair('ES256', { extractable: true });
    const DPoP = oauth.getDPoPHandle(config, keyPair);
    const jkt = await calculateJwkThumbprint(await exportJWK(keyPair.publicKey), 'sha256');

    const verifier = oauth.randomPKCECodeVerifier();
    const state = oauth.randomState();
    const authorizationUrl = oauth.buildAuthorizationUrl(config, {
      redirect_uri: CHATGPT_REDIRECT_URI,
      scope: [...RESOURCE_SCOPES, 'offline_access'].join(' '),
      resource: mcp.url,
      state,
      code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    });
    const page = await authorizeInBrowser(new TestBrowser(authServer.issuer), authorizationUrl, { email: EMAIL, password: PASSWORD });
    expect(page.location?.startsWith(CHATGPT_REDIRECT_URI)).toBe(true);
    const tokens = await oauth.authorizationCodeGrant(config, new URL(page.location!), { pkceCodeVerifier: verifier, expectedState: state }, { resource: mcp.url }, { DPoP });

    expect(tokens.token_type.toLowerCase()).toBe('dpop');
    expect(decodeJwt(tokens.access_token)).toMatchObject({ aud: mcp.url, sub: userId, cnf: { jkt } });
    expect(tokens.refresh_token).toBeTruthy();

    const callWhoami = async (accessToken: string) => {
      const response = await oauth.fetchProtectedResource(
        config, accessToken, new URL(mcp.url), 'POST', JSON.stringify(rpc('tools/call', { name: 'whoami', arguments: {} })),
        new Headers(MCP_HEADERS), { DPoP },
      );
      return { status: response.status, body: (await response.json()) as { result: { structuredContent: unknown } } };
    };
    for (let call = 0; call < 3; call += 1) {
      const reply = await callWhoami(tokens.access_token);
      expect(reply.status).toBe(200);
      expect(reply.body.result.structuredContent).toMatchObject({ id: userId, email: EMAIL });
    }

    // A refresh token issued to a public DPoP client is bound to the key (RFC 9449 §5): without a
    // proof the AS refuses it; with one it issues a new bound token that works at /mcp.
    await expect(oauth.refreshTokenGrant(config, tokens.refresh_token!, { resource: mcp.url })).rejects.toThrow();
    const refreshed = await oauth.refreshTokenGrant(config, tokens.refresh_token!, { resource: mcp.url }, { DPoP });
    expect(decodeJwt(refreshed.access_token)).toMatchObject({ cnf: { jkt } });
    expect((await callWhoami(refreshed.access_token)).status).toBe(200);

    // Stolen token alone: as Bearer, as DPoP without a proof, with a thief's proof; a replayed proof.
    const post = (headers: Record<string, string>) =>
      fetch(mcp.url, { method: 'POST', headers: { ...MCP_HEADERS, ...headers }, body: JSON.stringify(rpc('tools/call', { name: 'whoami', arguments: {} })) });
    const asBearer = await post({ authorization: `Bearer ${refreshed.access_token}` });
    expect(asBearer.status).toBe(401);
    expect(asBearer.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_token"/);

    const noProof = await post({ authorization: `DPoP ${refreshed.access_token}` });
    expect(noProof.status).toBe(401);
    expect(noProof.headers.get('www-authenticate')).toMatch(/^DPoP error="invalid_dpop_proof", .*algs="[^"]*ES256/);

    const thief = await oauth.randomDPoPKeyPair('ES256');
    const thiefProof = await new SignJWT({ htm: 'POST', htu: mcp.url, iat: Math.floor(Date.now() / 1000), jti: crypto.randomUUID(), ath: accessTokenHash(refreshed.access_token) })
      .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: await exportJWK(thief.publicKey) })
      .sign(thief.privateKey);
    expect((await post({ authorization: `DPoP ${refreshed.access_token}`, dpop: thiefProof })).status).toBe(401);

    const ownProof = await new SignJWT({ htm: 'POST', htu: mcp.url, iat: Math.floor(Date.now() / 1000), jti: crypto.randomUUID(), ath: accessTokenHash(refreshed.access_token) })
      .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: await exportJWK(keyPair.publicKey) })
      .sign(keyPair.privateKey);
    expect((await post({ authorization: `DPoP ${refreshed.access_token}`, dpop: ownProof })).status).toBe(200);
    const replay = await post({ authorization: `DPoP ${refreshed.access_token}`, dpop: ownProof });
    expect(replay.status).toBe(401);
    expect(await replay.json()).toEqual({ error: 'invalid_dpop_proof', error_description: 'The DPoP proof was already used' });
  });
});
