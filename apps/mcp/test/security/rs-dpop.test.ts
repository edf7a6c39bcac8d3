// RFC 9449 at /mcp with tokens minted like the AS's (cnf.jkt) and proofs signed by hand, so every
// refusal can be aimed at one check. The whole flow with a real client: test/stack/e2e/dpop-client.e2e.test.ts at the repository root.
import { randomUUID } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildMcpApp } from '../../src/index.js';
import { accessTokenHash, DPOP_ALGORITHMS } from '../../src/auth/dpop-proof.js';
import { startTestBed, type McpTestBed } from '../helpers/fixtures.js';
import { postMcp, rpc } from '@omnichat/testkit';
import { localKeySet } from '../helpers/test-keys.js';

type ClientKey = { privateKey: CryptoKey; jwk: JWK; jkt: string };

async function clientKey(alg = 'ES256'): Promise<ClientKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const jwk = await exportJWK(publicKey);
  return { privateKey, jwk, jkt: await calculateJwkThumbprint(jwk, 'sha256') };
}

type ProofOptions = { htm?: string; htu?: string; iat?: number; ath?: string; jti?: string; typ?: string; jwk?: JWK; omit?: string[] };

async function proofFor(key: ClientKey, accessToken: string, options: ProofOptions = {}): Promise<string> {
  const claims: Record<string, unknown> = {
    htm: options.htm ?? 'POST',
    htu: options.htu ?? bed.server.url,
    iat: options.iat ?? Math.floor(Date.now() / 1000),
    jti: options.jti ?? randomUUID(),
    ath: options.ath ?? accessTokenHash(accessToken),
  };
  for (const claim of options.omit ?? []) delete claims[claim];
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'ES256', typ: options.typ ?? 'dpop+jwt', jwk: options.jwk ?? key.jwk })
    .sign(key.privateKey);
}

let bed: McpTestBed;
let key: ClientKey;
let userId: string;
let token: string;
const ALGS = DPOP_ALGORITHMS.join(' ');

beforeAll(async () => {
  bed = await startTestBed();
  key = await clientKey();
  userId = await bed.createUser();
  token = await bed.token(userId, 'profile:read files:read', { claims: { cnf: { jkt: key.jkt } } });
});
afterAll(async () => bed?.close());

const whoami = rpc('tools/call', { name: 'whoami', arguments: {} });

async function sendDpop(accessToken: string, proof: string | undefined) {
  return postMcp(bed.server.url, whoami, {
    headers: { authorization: `DPoP ${accessToken}`, ...(proof !== undefined ? { dpop: proof } : {}) },
  });
}

async function expectProofRefused(proof: string | undefined, description = 'The DPoP proof is invalid') {
  const reply = await sendDpop(token, proof);
  expect(reply.status).toBe(401);
  expect(reply.headers.get('www-authenticate')).toBe(
    `DPoP error="invalid_dpop_proof", error_description="${description}", algs="${ALGS}", resource_metadata="${bed.prmUrl}"`,
  );
  expect(reply.body).toEqual({ error: 'invalid_dpop_proof', error_description: description });
}

describe('RFC 9449: DPoP-bound tokens at /mcp', () => {
  it('accepts a bound token with a fresh proof per request, and answers for its user', async () => {
    for (let call = 0; call < 2; call += 1) {
      const reply = await sendDpop(token, await proofFor(key, token));
      expect(reply.status).toBe(200);
      expect(reply.body.result.structuredContent).toMatchObject({ id: userId });
    }
    // The scheme is case-insensitive (RFC 9110 §11.1); htu ignores query and fragment (§4.3 step 9).
    const proof = await proofFor(key, token, { htu: `${bed.server.url}?x=1#frag` });
    const reply = await postMcp(bed.server.url, whoami, { headers: { authorization: `dpop ${token}`, dpop: proof } });
    expect(reply.status).toBe(200);
  });

  it('refuses a replayed proof (same jti twice), on this replica and on another one', async () => {
    const proof = await proofFor(key, token);
    expect((await sendDpop(token, proof)).status).toBe(200);
    await expectProofRefused(proof, 'The DPoP proof was already used');

    // A second replica: its own process state, the same database.
    const replica = await buildMcpApp(bed.server.config, { prisma: bed.prisma, getKey: localKeySet(bed.key) });
    try {
      const fresh = await proofFor(key, token);
      expect((await sendDpop(token, fresh)).status).toBe(200);
      const replayed = await replica.inject({
        method: 'POST',
        url: '/mcp',
        headers: {
          host: new URL(bed.server.url).host,
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          authorization: `DPoP ${token}`,
          dpop: fresh,
        },
        payload: whoami,
      });
      expect(replayed.statusCode).toBe(401);
      expect(replayed.headers['www-authenticate']).toContain('error="invalid_dpop_proof"');
    } finally {
      await replica.close();
    }
  });

  it('refuses a proof for another URI or method (htu, htm)', async () => {
    const origin = new URL(bed.server.url).origin;
    for (const htu of [`${origin}/other`, `${origin}/mcp/`, bed.server.url.replace('127.0.0.1', 'localhost'), bed.server.url.replace('http:', 'https:'), 'not a url']) {
      await expectProofRefused(await proofFor(key, token, { htu }));
    }
    for (const htm of ['GET', 'post', 'PUT']) await expectProofRefused(await proofFor(key, token, { htm }));
  });

  it('refuses a proof for another token (ath) and a missing or empty proof', async () => {
    const other = await bed.token(userId, 'profile:read', { claims: { cnf: { jkt: key.jkt } } });
    await expectProofRefused(await proofFor(key, token, { ath: accessTokenHash(other) }));
    await expectProofRefused(await proofFor(key, token, { omit: ['ath'] }));
    await expectProofRefused(undefined, 'A DPoP proof is required with a DPoP access token');
    await expectProofRefused('', 'A DPoP proof is required with a DPoP access token');
    await expectProofRefused('not.a.jwt');
  });

  it('refuses a proof signed by another key than the one the token is bound to (jkt)', async () => {
    await expectProofRefused(await proofFor(await clientKey(), token));
    // Another key's signature under this key's jwk: the signature check fails.
    const stranger = await clientKey();
    await expectProofRefused(await proofFor({ ...stranger, jwk: key.jwk }, token));
  });

  it('refuses a stale or future iat (±60 s window)', async () => {
    const now = Math.floor(Date.now() / 1000);
    await expectProofRefused(await proofFor(key, token, { iat: now - 120 }));
    await expectProofRefused(await proofFor(key, token, { iat: now + 120 }));
    await expectProofRefused(await proofFor(key, token, { omit: ['iat'] }));
  });

  it('refuses a wrong typ, an HS256 proof, a private embedded key and a missing jti', async () => {
    await expectProofRefused(await proofFor(key, token, { typ: 'JWT' }));
    const secret = new TextEncoder().encode('a shared secret of at least thirty-two bytes');
    const hs = await new SignJWT({ htm: 'POST', htu: bed.server.url, iat: Math.floor(Date.now() / 1000), jti: randomUUID(), ath: accessTokenHash(token) })
      .setProtectedHeader({ alg: 'HS256', typ: 'dpop+jwt', jwk: { kty: 'oct', k: Buffer.from(secret).toString('base64url') } as never })
      .sign(secret);
    await expectProofRefused(hs);
    const privateJwk = await exportJWK(key.privateKey);
    await expectProofRefused(await proofFor(key, token, { jwk: privateJwk }));
    await expectProofRefused(await proofFor(key, token, { omit: ['jti'] }));
  });

  it('refuses a bound token sent as Bearer, and an unbound token sent as DPoP (invalid_token)', async () => {
    const asBearer = await postMcp(bed.server.url, whoami, { token, headers: { dpop: await proofFor(key, token) } });
    expect(asBearer.status).toBe(401);
    expect(asBearer.headers.get('www-authenticate')).toBe(
      `Bearer error="invalid_token", error_description="The access token is invalid", resource_metadata="${bed.prmUrl}"`,
    );

    const unbound = await bed.token(userId, 'profile:read');
    const asDpop = await sendDpop(unbound, await proofFor(key, unbound));
    expect(asDpop.status).toBe(401);
    expect(asDpop.headers.get('www-authenticate')).toBe(
      `DPoP error="invalid_token", error_description="The access token is invalid", algs="${ALGS}", resource_metadata="${bed.prmUrl}"`,
    );
    // The unbound token itself is still a good bearer token.
    expect((await postMcp(bed.server.url, whoami, { token: unbound })).status).toBe(200);
  });

  it('refuses a token with another confirmation method (cnf other than jkt)', async () => {
    const mtls = await bed.token(userId, 'profile:read', { claims: { cnf: { 'x5t#S256': 'abc' } } });
    expect((await sendDpop(mtls, await proofFor(key, mtls))).status).toBe(401);
    expect((await postMcp(bed.server.url, whoami, { token: mtls })).status).toBe(401);
  });
});
