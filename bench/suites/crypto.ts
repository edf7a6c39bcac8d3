// Token cryptography: the signing algorithm chosen by measurement (RS256 vs ES256 sign and verify
// rates), and what the verified-token cache saves on a repeated token (mcp.verify.repeat).
import { performance } from 'node:perf_hooks';
import { createLocalJWKSet, generateKeyPair, jwtVerify, SignJWT, type JSONWebKeySet } from 'jose';
import { buildMcpApp, loadMcpConfig } from '@omnichat/mcp';
import type { BenchContext } from '../lib/context.js';
import { atLeast } from '../lib/figures.js';

/** Operations per second of `op`, run `count` times one after another. */
async function rate(count: number, op: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < Math.min(200, count); i++) await op();
  const start = performance.now();
  for (let i = 0; i < count; i++) await op();
  return count / ((performance.now() - start) / 1000);
}

const ACCESS_TOKEN_CLAIMS = {
  client_id: 'bench-client',
  scope: 'files:read files:write chat:read chat:write',
  gid: 'bench-grant-id-0123456789abcdef',
  jti: 'bench-jti-0123456789abcdef',
};

async function algorithmRates(ctx: BenchContext, alg: 'RS256' | 'ES256') {
  const { privateKey, publicKey } = await generateKeyPair(alg, alg === 'RS256' ? { modulusLength: 2048 } : {});
  const sign = () =>
    new SignJWT(ACCESS_TOKEN_CLAIMS)
      .setProtectedHeader({ alg, typ: 'at+jwt', kid: 'bench' })
      .setIssuer('http://127.0.0.1:4000')
      .setAudience(ctx.resourceUrl)
      .setSubject('8f3a1e52-4f3c-4d5e-9a4b-2b1c0d9e8f7a')
      .setIssuedAt()
      .setExpirationTime('10m')
      .sign(privateKey);
  const token = await sign();
  const count = ctx.mode.quick ? 300 : 3000;
  return {
    sign: await rate(count, sign),
    verify: await rate(count * 3, () => jwtVerify(token, publicKey, { algorithms: [alg], typ: 'at+jwt' })),
  };
}

export async function runCryptoFigures(ctx: BenchContext): Promise<void> {
  const rs = await algorithmRates(ctx, 'RS256');
  const es = await algorithmRates(ctx, 'ES256');
  ctx.report.add({ name: 'jose.sign.RS256', value: rs.sign, unit: 'op/s' });
  ctx.report.add({ name: 'jose.sign.ES256', value: es.sign, unit: 'op/s', against: [{ baseline: 'RS256', value: rs.sign }] });
  ctx.report.add({ name: 'jose.verify.RS256', value: rs.verify, unit: 'op/s' });
  ctx.report.add({ name: 'jose.verify.ES256', value: es.verify, unit: 'op/s', against: [{ baseline: 'RS256', value: rs.verify }] });
  // With the verified-token cache a token is verified about once per MCP replica, so the cost of
  // one token is one signature plus one verification per replica.
  const perToken = (r: { sign: number; verify: number }, replicas: number) => 1e6 / r.sign + (replicas * 1e6) / r.verify;
  ctx.report.note(
    `CPU per issued access token (sign + one verify per MCP replica): RS256 ${perToken(rs, 1).toFixed(0)} µs / ${perToken(rs, 4).toFixed(0)} µs, ` +
      `ES256 ${perToken(es, 1).toFixed(0)} µs / ${perToken(es, 4).toFixed(0)} µs (1 / 4 replicas)`,
  );

  // mcp.verify.repeat: the app's own verifier (token cache and grant-revocation check as wired in
  // buildMcpApp) on a real token from our auth app, against a fresh jose verification of it.
  const jwks = (await (await fetch(`${ctx.auth.url}/jwks`)).json()) as JSONWebKeySet;
  const getKey = createLocalJWKSet(jwks);
  const config = loadMcpConfig({ ISSUER: ctx.auth.url, RESOURCE_URL: ctx.resourceUrl, LOG_LEVEL: 'warn' });
  const app = await buildMcpApp(config, { prisma: ctx.prisma, getKey });
  try {
    const token = ctx.mcpTokens.accessToken;
    const verifyOptions = { issuer: config.issuer, audience: config.resourceUrl, typ: 'at+jwt', algorithms: config.algorithms };
    const fresh = await rate(ctx.mode.quick ? 1000 : 10_000, () => jwtVerify(token, getKey, verifyOptions));
    await app.tokenVerifier.verify(token);
    const repeat = await rate(ctx.mode.quick ? 50_000 : 1_000_000, () => app.tokenVerifier.verify(token));
    ctx.report.add({
      name: 'mcp.verify.repeat',
      value: repeat,
      unit: 'verify/s',
      against: [{ baseline: 'fresh jose verify', value: fresh }],
      bars: [atLeast('≥ 20× fresh jose verify', repeat / fresh, 20)],
      note: `${(1e6 / repeat).toFixed(2)} µs per repeated token vs ${(1e6 / fresh).toFixed(1)} µs fresh`,
    });
  } finally {
    await app.close();
  }
}
