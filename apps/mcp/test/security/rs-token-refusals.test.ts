import { randomUUID } from 'node:crypto';
import { base64url, decodeJwt, exportSPKI, importJWK, SignJWT, UnsecuredJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBed, TEST_ISSUER, type McpTestBed } from './helpers/fixtures.js';
import { initializeMessage, postMcp, rpc } from './helpers/mcp-http.js';
import { createTestKey, mintAccessToken, type TestKey } from './helpers/test-keys.js';

let bed: McpTestBed;
let stranger: TestKey;
let invalid: string;
let expired: string;

beforeAll(async () => {
  bed = await startTestBed();
  stranger = await createTestKey();
  invalid = `Bearer error="invalid_token", error_description="The access token is invalid", resource_metadata="${bed.prmUrl}"`;
  expired = `Bearer error="invalid_token", error_description="The access token expired", resource_metadata="${bed.prmUrl}"`;
});
afterAll(async () => bed?.close());

const mint = (overrides: Parameters<typeof mintAccessToken>[1] extends infer O ? Partial<O> : never) =>
  mintAccessToken(bed.key, { issuer: TEST_ISSUER, audience: bed.server.url, subject: randomUUID(), scope: 'files:read', ...overrides });

async function payloadOf(overrides: Record<string, unknown> = {}) {
  const now = Math.floor(Date.now() / 1000);
  return {
    iss: TEST_ISSUER, aud: bed.server.url, sub: randomUUID(), client_id: 'c', scope: 'files:read',
    jti: randomUUID(), iat: now, exp: now + 300, ...overrides,
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

describe('tokens the resource server refuses with 401 invalid_token (SECURITY-CASES RS-03..RS-16)', () => {
  it('refuses an expired token, saying it expired', async () => {
    await expectRefused(await mint({ expiresIn: -120 }), expired);
  });

  it.each([
    ['another resource', () => 'https://other.example/mcp'],
    ['the resource with a trailing slash', () => `${bed.server.url}/`],
    ['the resource with a different case', () => bed.server.url.replace('/mcp', '/MCP')],
    ['the client id', () => 'test-client'],
  ])('refuses a token whose audience is %s', async (_name, audience) => {
    await expectRefused(await mint({ audience: audience() }), invalid);
  });

  it.each([[`${TEST_ISSUER}/`], ['http://127.0.0.1:5000'], ['https://evil.example']])(
    'refuses a token from issuer %s',
    async (issuer) => {
      await expectRefused(await mint({ issuer }), invalid);
    },
  );

  it('refuses a token signed by an unknown key', async () => {
    await expectRefused(
      await mintAccessToken(stranger, { issuer: TEST_ISSUER, audience: bed.server.url }),
      invalid,
    );
  });

  it('refuses a token signed by an unknown key that claims a known kid', async () => {
    const forged = await new SignJWT(await payloadOf())
      .setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', kid: bed.key.kid })
      .sign(stranger.privateKey);
    await expectRefused(forged, invalid);
  });

  it('refuses alg "none"', async () => {
    const unsigned = new UnsecuredJWT(await payloadOf()).encode();
    const withTyp = `${base64url.encode(JSON.stringify({ alg: 'none', typ: 'at+jwt' }))}.${unsigned.split('.')[1]}.`;
    await expectRefused(unsigned, invalid);
    await expectRefused(withTyp, invalid);
  });

  it('refuses HS256 keyed with the public key (as JWK JSON, as PEM, as the modulus)', async () => {
    const pem = await exportSPKI((await importJWK(bed.key.publicJwk, 'RS256')) as Parameters<typeof exportSPKI>[0]);
    const secrets = [JSON.stringify(bed.key.publicJwk), pem, String(bed.key.publicJwk.n)];
    for (const secret of secrets) {
      const token = await new SignJWT(await payloadOf())
        .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', kid: bed.key.kid })
        .sign(new TextEncoder().encode(secret));
      await expectRefused(token, invalid);
    }
  });

  it('refuses a tampered payload and a tampered signature', async () => {
    const token = await mint({});
    const [header, , signature] = token.split('.');
    const claims = { ...decodeJwt(token), scope: 'files:read files:write' };
    await expectRefused(`${header}.${base64url.encode(JSON.stringify(claims))}.${signature}`, invalid);
    const flipped = signature!.startsWith('A') ? `B${signature!.slice(1)}` : `A${signature!.slice(1)}`;
    await expectRefused(`${header}.${token.split('.')[1]}.${flipped}`, invalid);
  });

  it.each([
    ['an ID token (typ JWT)', 'JWT'],
    ['a token of another type', 'logout+jwt'],
  ])('refuses %s', async (_name, typ) => {
    await expectRefused(await mint({ typ }), invalid);
  });

  it('refuses a token without a typ header', async () => {
    const token = await new SignJWT(await payloadOf())
      .setProtectedHeader({ alg: 'RS256', kid: bed.key.kid })
      .sign(bed.key.privateKey);
    await expectRefused(token, invalid);
  });

  it.each([['sub'], ['client_id'], ['jti'], ['exp'], ['iat']])('refuses a token without %s', async (claim) => {
    await expectRefused(await mint({ omit: [claim] }), invalid);
  });

  it.each([
    ['a scope array', { scope: ['files:read'] }],
    ['a confirmation (sender-constrained) claim', { cnf: { jkt: 'abc' } }],
    ['nbf in the future', { nbf: Math.floor(Date.now() / 1000) + 300 }],
  ])('refuses %s', async (_name, claims) => {
    await expectRefused(await mint({ claims }), invalid);
  });

  it.each([
    ['a 10 KiB token (over the length cap)', 'a'.repeat(10 * 1024)],
    ['a two-segment token', 'abc.def'],
    ['garbage', 'not-a-jwt'],
  ])('refuses %s', async (_name, token) => {
    await expectRefused(token, invalid);
  });
});

describe('oversized credentials (RS-22)', () => {
  it('answers a 20 KiB Authorization header with 431 from Node, and keeps serving', async () => {
    const reply = await fetch(bed.server.url, {
      method: 'POST',
      headers: { authorization: `Bearer ${'a'.repeat(20 * 1024)}`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(reply.status).toBe(431);
    expect((await postMcp(bed.server.url, initializeMessage())).status).toBe(200);
  });
});

describe('tokens the resource server accepts', () => {
  it.each([
    ['a plain access token', {}],
    ['an expiry 25 s ago (inside the clock tolerance)', { expiresIn: -25 }],
    ['typ application/at+jwt', { typ: 'application/at+jwt' }],
  ])('accepts %s', async (_name, overrides) => {
    const reply = await postMcp(bed.server.url, initializeMessage(), { token: await mint(overrides) });
    expect(reply.status).toBe(200);
    expect(reply.body.result.serverInfo.name).toBe('omnichat');
  });

  it('accepts an audience array that contains the resource', async () => {
    const token = await mint({ audience: ['https://other.example', bed.server.url] });
    expect((await postMcp(bed.server.url, initializeMessage(), { token })).status).toBe(200);
  });

  it('accepts the scheme in any case (RFC 9110 §11.1)', async () => {
    const token = await mint({});
    const reply = await postMcp(bed.server.url, initializeMessage(), { headers: { authorization: `bearer ${token}` } });
    expect(reply.status).toBe(200);
  });
});

describe('credentials in the wrong place or shape: 400 invalid_request', () => {
  it('refuses a token in the query string, even alongside a valid header', async () => {
    const token = await mint({});
    for (const options of [{}, { token }]) {
      const reply = await postMcp(`${bed.server.url}?access_token=${token}`, initializeMessage(), options);
      expect(reply.status).toBe(400);
      expect(reply.headers.get('www-authenticate')).toBe(
        `Bearer error="invalid_request", error_description="Send the access token in the Authorization header only", resource_metadata="${bed.prmUrl}"`,
      );
    }
  });

  it.each([['Basic dTpw'], ['Bearer'], ['Bearer a b'], ['Token abc']])(
    'refuses the Authorization header %j',
    async (authorization) => {
      const reply = await postMcp(bed.server.url, initializeMessage(), { headers: { authorization } });
      expect(reply.status).toBe(400);
      expect(reply.headers.get('www-authenticate')).toBe(
        `Bearer error="invalid_request", error_description="Malformed Authorization header: expected \\"Bearer <token>\\"", resource_metadata="${bed.prmUrl}"`,
      );
    },
  );

  it('refuses before running the tool', async () => {
    const user = await bed.createUser();
    const token = await bed.token(user, 'files:write', { expiresIn: -120 });
    const reply = await postMcp(bed.server.url, rpc('tools/call', { name: 'private_files_write', arguments: { path: 'x', content: 'y' } }), { token });
    expect(reply.status).toBe(401);
    expect(await bed.prisma.file.count({ where: { userId: user } })).toBe(0);
  });
});
