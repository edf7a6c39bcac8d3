import { randomUUID } from 'node:crypto';
import { base64url, decodeJwt, exportSPKI, importJWK, SignJWT, UnsecuredJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBed, TEST_ISSUER, type McpTestBed } from '../helpers/fixtures.js';
import { initializeMessage, postMcp, rpc } from '@omnichat/testkit';
import { createTestKey, mintAccessToken, type TestKey } from '../helpers/test-keys.js';

let bed: McpTestBed;
let stranger: TestKey;
let invalid: string;
let expired: string;

beforeAll(async () => {
  bed = await startTestBed({ requireAuth: false }); // mixed mode: anonymous calls exercise the rest
  stranger = await createTestKey();
  invalid = `Bearer error="invalid_token", error_description="The access token is invalid", resource_metadata="${bed.prmUrl}"`;
  expired = `Bearer error="invalid_token", error_description="The access token expired", resource_metadata="${bed.prmUrl}"`;
});
afterAll(async () => bed?.close());

/** A valid access token for this server naming a live grant, with overrides (test MINT{h,c,k}). */
const mint = async (overrides: Parameters<typeof mintAccessToken>[1] extends infer O ? Partial<O> : never) =>
  mintAccessToken(bed.key, {
    issuer: TEST_ISSUER, audience: bed.server.url, subject: randomUUID(), scope: 'files:read', ...overrides,
    claims: { gid: await bed.grant(), ...overrides.claims },
  });

async function payloadOf(overrides: Record<string, unknown> = {}) {
  const now = Math.floor(Date.now() / 1000);
  return {
    iss: TEST_ISSUER, aud: bed.server.url, sub: randomUUID(), client_id: 'c', scope: 'files:read',
    jti: randomUUID(), iat: now, exp: now + 300, gid: await bed.grant(), ...overrides,
  };
}

async function expectRefused(token: string, header: string) {
  const reply = await postMcp(bed.server.url, initializeMessage(), { token });
  expect(reply.status).toBe(401);
  expect(reply.headers.get('www-authenticate')).toBe(header);
  expect(reply.body).toEqual({
    error: 'invalid_token',
    error_description: header.includes('expired') ? 'The access token expired' : 'The access token is invalid',
  });
}

describe('docs/security.md B: tokens refused with 401 invalid_token', () => {
  it('RS-02 malformed or misplaced bearer: 400 invalid_request for a malformed Authorization header', async () => {
    for (const authorization of ['Basic dTpw', 'Bearer', 'Bearer ', 'Bearer a b', 'Token abc']) {
      const reply = await postMcp(bed.server.url, initializeMessage(), { headers: { authorization } });
      expect(reply.status, authorization).toBe(400);
      expect(reply.headers.get('www-authenticate')).toBe(
        `Bearer error="invalid_request", error_description="Malformed Authorization header: expected \\"Bearer <token>\\"", resource_metadata="${bed.prmUrl}"`,
      );
    }
    // A two-segment token has the right header shape: refused as an invalid token.
    await expectRefused('abc.def', invalid);
  });

  it('RS-02 a token in the query string is never accepted, even alongside a valid header', async () => {
    const token = await mint({});
    for (const options of [{}, { token }]) {
      const reply = await postMcp(`${bed.server.url}?access_token=${token}`, initializeMessage(), options);
      expect(reply.status).toBe(400);
      expect(reply.headers.get('www-authenticate')).toBe(
        `Bearer error="invalid_request", error_description="Send the access token in the Authorization header only", resource_metadata="${bed.prmUrl}"`,
      );
    }
  });

  it('RS-02 a token in the body is never a credential: refused at the top level, ignored in params', async () => {
    const token = await mint({ scope: 'files:read' });
    const topLevel = await postMcp(bed.server.url, { ...rpc('tools/call', { name: 'whoami', arguments: {} }), access_token: token });
    expect(topLevel.status).toBe(400);
    expect(topLevel.body.error.code).toBe(-32600);
    const inParams = await postMcp(bed.server.url, rpc('tools/call', { name: 'whoami', arguments: {}, access_token: token }));
    expect(inParams.status).toBe(200);
    expect(inParams.body.result.isError).toBe(true);
    expect(inParams.body.result._meta['mcp/www_authenticate'][0]).toContain('error_description="Sign in to use this tool"');
  });

  it('RS-02 two Authorization headers are refused with 400 invalid_request', async () => {
    const token = await mint({});
    // fetch joins repeated headers with ", ", which is what Node hands the server for duplicates.
    const headers = new Headers({ 'content-type': 'application/json', accept: 'application/json, text/event-stream' });
    headers.append('authorization', `Bearer ${token}`);
    headers.append('authorization', `Bearer ${token}`);
    const response = await fetch(bed.server.url, { method: 'POST', headers, body: JSON.stringify(initializeMessage()) });
    expect(response.status).toBe(400);
    expect(response.headers.get('www-authenticate')).toContain('error="invalid_request"');
  });

  it('RS-02 the scheme is case-insensitive: "bearer <token>" is accepted (RFC 9110 §11.1)', async () => {
    const token = await mint({});
    const reply = await postMcp(bed.server.url, initializeMessage(), { headers: { authorization: `bearer ${token}` } });
    expect(reply.status).toBe(200);
  });

  it('RS-03 tampered token: a changed payload claim and a flipped signature byte are refused', async () => {
    const token = await mint({});
    const [header, , signature] = token.split('.');
    const claims = { ...decodeJwt(token), scope: 'files:read files:write' };
    await expectRefused(`${header}.${base64url.encode(JSON.stringify(claims))}.${signature}`, invalid);
    const flipped = signature!.startsWith('A') ? `B${signature!.slice(1)}` : `A${signature!.slice(1)}`;
    await expectRefused(`${header}.${token.split('.')[1]}.${flipped}`, invalid);
    // A token signed by a key the AS never had, with or without claiming the AS's kid.
    await expectRefused(await mintAccessToken(stranger, { issuer: TEST_ISSUER, audience: bed.server.url, claims: { gid: await bed.grant() } }), invalid);
    const forged = await new SignJWT(await payloadOf())
      .setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', kid: bed.key.kid })
      .sign(stranger.privateKey);
    await expectRefused(forged, invalid);
  });

  it('RS-04 alg "none" is refused, with and without typ at+jwt', async () => {
    const unsigned = new UnsecuredJWT(await payloadOf()).encode();
    const withTyp = `${base64url.encode(JSON.stringify({ alg: 'none', typ: 'at+jwt' }))}.${unsigned.split('.')[1]}.`;
    await expectRefused(unsigned, invalid);
    await expectRefused(withTyp, invalid);
  });

  it('RS-05 HS256 key confusion: HMAC keyed with the public key (JWK JSON, PEM, modulus) is refused', async () => {
    const pem = await exportSPKI((await importJWK(bed.key.publicJwk, 'RS256')) as Parameters<typeof exportSPKI>[0]);
    const secrets = [JSON.stringify(bed.key.publicJwk), pem, String(bed.key.publicJwk.n)];
    for (const secret of secrets) {
      const token = await new SignJWT(await payloadOf())
        .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', kid: bed.key.kid })
        .sign(new TextEncoder().encode(secret));
      await expectRefused(token, invalid);
    }
  });

  it('RS-12 wrong audience: another resource, trailing slash, other case, the client id', async () => {
    for (const audience of ['https://other.example/mcp', `${bed.server.url}/`, bed.server.url.replace('/mcp', '/MCP'), 'test-client']) {
      await expectRefused(await mint({ audience }), invalid);
    }
  });

  it('RS-12 policy: an audience array is accepted when one entry is this resource byte for byte', async () => {
    const token = await mint({ audience: ['https://other.example', bed.server.url] });
    expect((await postMcp(bed.server.url, initializeMessage(), { token })).status).toBe(200);
  });

  it('RS-13 wrong issuer: trailing slash, another origin, a foreign issuer with the same key', async () => {
    for (const issuer of [`${TEST_ISSUER}/`, 'http://127.0.0.1:5000', 'https://evil.example']) {
      await expectRefused(await mint({ issuer }), invalid);
    }
  });

  it('RS-14 time claims: expired, expired inside tolerance, no exp, nbf and iat in the future', async () => {
    await expectRefused(await mint({ expiresIn: -120 }), expired);
    await expectRefused(await mint({ omit: ['exp'] }), invalid);
    const now = Math.floor(Date.now() / 1000);
    await expectRefused(await mint({ claims: { nbf: now + 300 } }), invalid);
    await expectRefused(await mint({ claims: { iat: now + 3600 } }), invalid);
    // 25 s after exp is inside the 30 s clock tolerance.
    expect((await postMcp(bed.server.url, initializeMessage(), { token: await mint({ expiresIn: -25 }) })).status).toBe(200);
  });

  it('RS-15 wrong token type: an ID token (typ JWT), a logout token, no typ, an opaque refresh token', async () => {
    await expectRefused(await mint({ typ: 'JWT' }), invalid);
    await expectRefused(await mint({ typ: 'logout+jwt' }), invalid);
    const untyped = await new SignJWT(await payloadOf()).setProtectedHeader({ alg: 'RS256', kid: bed.key.kid }).sign(bed.key.privateKey);
    await expectRefused(untyped, invalid);
    await expectRefused('rt_' + base64url.encode(new Uint8Array(32)), invalid);
    // RFC 9068 §4: the media type with its prefix is the same type.
    expect((await postMcp(bed.server.url, initializeMessage(), { token: await mint({ typ: 'application/at+jwt' }) })).status).toBe(200);
  });

  it('RS-16 missing claims: sub, client_id, jti, exp, iat, gid; scope as an array', async () => {
    for (const claim of ['sub', 'client_id', 'jti', 'exp', 'iat']) {
      await expectRefused(await mint({ omit: [claim] }), invalid);
    }
    // gid: without its grant id a token could not be revoked early (docs/security.md B.1).
    const noGid = await new SignJWT({ ...(await payloadOf()), gid: undefined })
      .setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', kid: bed.key.kid })
      .sign(bed.key.privateKey);
    await expectRefused(noGid, invalid);
    await expectRefused(await mint({ claims: { scope: ['files:read'] } }), invalid);
  });

  it('RS-21 a sender-constrained token (cnf.jkt) presented as bearer is refused', async () => {
    await expectRefused(await mint({ claims: { cnf: { jkt: 'abc' } } }), invalid);
  });

  it('RS-22 oversized credentials: a 10 KiB token gets 401 (capped at 4 KiB before parsing); 20 KiB and 64 KiB headers get 431 from Node; the server keeps serving', async () => {
    await expectRefused('a'.repeat(10 * 1024), invalid);
    for (const size of [20 * 1024, 64 * 1024]) {
      const reply = await fetch(bed.server.url, {
        method: 'POST',
        headers: { authorization: `Bearer ${'a'.repeat(size)}`, 'content-type': 'application/json' },
        body: '{}',
      });
      expect(reply.status).toBe(431);
    }
    expect((await postMcp(bed.server.url, initializeMessage())).status).toBe(200);
  });

  it('refuses before running the tool: an expired token with files:write writes nothing', async () => {
    const user = await bed.createUser();
    const token = await bed.token(user, 'files:write', { expiresIn: -120 });
    const reply = await postMcp(bed.server.url, rpc('tools/call', { name: 'private_files_write', arguments: { path: 'x', content: 'y' } }), { token });
    expect(reply.status).toBe(401);
    expect(await bed.prisma.file.count({ where: { userId: user } })).toBe(0);
  });

  it('accepts a plain valid token', async () => {
    const reply = await postMcp(bed.server.url, initializeMessage(), { token: await mint({}) });
    expect(reply.status).toBe(200);
    expect(reply.body.result.serverInfo.name).toBe('omnichat');
  });
});
