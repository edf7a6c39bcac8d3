import { randomUUID } from 'node:crypto';
import {
  createLocalJWKSet,
  exportJWK,
  generateKeyPair,
  SignJWT,
  type CryptoKey,
  type JSONWebKeySet,
  type JWK,
  type JWTPayload,
  type JWTVerifyGetKey,
} from 'jose';

export type TestKey = { kid: string; privateKey: CryptoKey; publicJwk: JWK };

/** An RS256 signing key like the authorization server's, with its public JWK. */
export async function createTestKey(kid = `test-${randomUUID()}`): Promise<TestKey> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
  return { kid, privateKey, publicJwk };
}

export function jwksOf(...keys: TestKey[]): JSONWebKeySet {
  return { keys: keys.map((key) => key.publicJwk) };
}

export function localKeySet(...keys: TestKey[]): JWTVerifyGetKey {
  return createLocalJWKSet(jwksOf(...keys));
}

export type MintOptions = {
  issuer: string;
  audience: string | string[];
  subject?: string;
  scope?: string;
  clientId?: string;
  /** Seconds from now (negative: already expired). */
  expiresIn?: number;
  typ?: string;
  claims?: JWTPayload;
  /** Drop these claims from the payload. */
  omit?: string[];
};

/** Mints an RFC 9068 access token the way our authorization server does (jose SignJWT). */
export async function mintAccessToken(key: TestKey, options: MintOptions): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const payload: JWTPayload = {
    iss: options.issuer,
    aud: options.audience,
    sub: options.subject ?? randomUUID(),
    client_id: options.clientId ?? 'test-client',
    scope: options.scope ?? '',
    jti: randomUUID(),
    iat: now,
    exp: now + (options.expiresIn ?? 300),
    ...options.claims,
  };
  for (const claim of options.omit ?? []) delete payload[claim];
  return new SignJWT(payload)
    .setProtectedHeader({ alg: 'RS256', typ: options.typ ?? 'at+jwt', kid: key.kid })
    .sign(key.privateKey);
}
