import { createLocalJWKSet, jwtVerify, type JWK, type JWTPayload } from 'jose';
import type Provider from 'oidc-provider';

import { SIGNING_ALG, type SigningKeys } from '@omnichat/signing-keys';

const PUBLIC_MEMBERS = ['kty', 'kid', 'alg', 'use', 'n', 'e', 'crv', 'x', 'y'] as const;

type Caller = { clientId: string; clientAuthMethod: string };
type IntrospectionBody = Record<string, unknown> & { active: boolean };

/**
 * RFC 7662 for our own JWT access tokens. oidc-provider answers `unsupported_token_type` for any JWT
 * (it stores none, so it has nothing to look up); gateways and resource servers that introspect
 * rather than verify then cannot use us. A post-middleware (`provider.use`, documented) replaces
 * exactly that answer, after oidc-provider has authenticated the caller, with the token's own
 * claims when its signature, issuer, type and expiry hold and its grant still exists (a revoked
 * grant makes its tokens inactive at once). As upstream's default allowedPolicy does, a public
 * client learns only about its own tokens.
 */
export function introspectOwnJwts(provider: Provider, jwks: SigningKeys, clock: () => Date = () => new Date()): void {
  const keys = createLocalJWKSet({ keys: jwks.keys.map(publicPart) });
  provider.use(async (ctx, next) => {
    await next();
    const body = ctx.body as { error?: unknown } | undefined;
    if (ctx.oidc?.route !== 'introspection' || body?.error !== 'unsupported_token_type' || !ctx.oidc.client) return;
    const token = ctx.oidc.params?.token;
    ctx.status = 200;
    ctx.body = typeof token === 'string' ? await introspect(provider, keys, token, ctx.oidc.client, clock()) : { active: false };
  });
}

async function introspect(provider: Provider, keys: ReturnType<typeof createLocalJWKSet>, token: string, caller: Caller, now: Date): Promise<IntrospectionBody> {
  let payload: JWTPayload & { client_id?: unknown; gid?: unknown; scope?: unknown; cnf?: { jkt?: string } };
  try {
    ({ payload } = await jwtVerify(token, keys, { issuer: provider.issuer, typ: 'at+jwt', algorithms: [SIGNING_ALG], currentDate: now }));
  } catch {
    return { active: false };
  }
  if (typeof payload.client_id !== 'string' || typeof payload.gid !== 'string') return { active: false };
  if (caller.clientAuthMethod === 'none' && caller.clientId !== payload.client_id) return { active: false };
  const grant = await provider.Grant.find(payload.gid);
  if (!grant || grant.clientId !== payload.client_id || grant.accountId !== payload.sub) return { active: false };
  return {
    active: true,
    scope: payload.scope,
    client_id: payload.client_id,
    sub: payload.sub,
    aud: payload.aud,
    exp: payload.exp,
    iat: payload.iat,
    iss: payload.iss,
    jti: payload.jti,
    token_type: payload.cnf?.jkt ? 'DPoP' : 'Bearer',
    ...(payload.cnf ? { cnf: payload.cnf } : {}),
  };
}

function publicPart(jwk: JWK): JWK {
  return Object.fromEntries(PUBLIC_MEMBERS.filter((member) => jwk[member] !== undefined).map((member) => [member, jwk[member]])) as JWK;
}
