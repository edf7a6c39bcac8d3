// auth.scale: refresh latency once the store holds a production-sized history (grants, refresh
// tokens and clients, generated in SQL with generate_series, not through the API), against the
// same server and chains on a nearly empty database.
import { performance } from 'node:perf_hooks';
import { mintChains } from '../lib/chains.js';
import type { BenchContext } from '../lib/context.js';
import { atMost } from '../lib/figures.js';
import { measureRefresh } from './auth-tokens.js';

/**
 * Rows shaped like oidc-provider's own payloads: a fifth clients, two fifths grants and two fifths
 * refresh tokens pointing at those grants, with live expiries (the sweep deletes nothing).
 */
export async function seedOidcRows(ctx: BenchContext, rows: number): Promise<void> {
  const clients = Math.floor(rows / 5);
  const grants = Math.floor((rows * 2) / 5);
  const tokens = rows - clients - grants;
  await ctx.prisma.$executeRawUnsafe(`
    INSERT INTO "OidcPayload" ("model", "id", "payload", "grantId", "expiresAt")
    SELECT 'Client', 'scale-client-' || n,
           jsonb_build_object('client_id', 'scale-client-' || n, 'client_name', 'Scale client ' || n,
             'redirect_uris', jsonb_build_array('https://chatgpt.com/connector_platform_oauth_redirect'),
             'grant_types', jsonb_build_array('authorization_code', 'refresh_token'), 'response_types', jsonb_build_array('code'),
             'token_endpoint_auth_method', 'none', 'client_id_issued_at', 1790000000),
           NULL, NULL
    FROM generate_series(1, ${clients}) AS n`);
  await ctx.prisma.$executeRawUnsafe(`
    INSERT INTO "OidcPayload" ("model", "id", "payload", "grantId", "expiresAt")
    SELECT 'Grant', 'scale-grant-' || n,
           jsonb_build_object('kind', 'Grant', 'jti', 'scale-grant-' || n, 'accountId', md5(n::text)::uuid::text,
             'clientId', 'scale-client-' || (n % ${Math.max(clients, 1)} + 1), 'openid', jsonb_build_object('scope', 'openid'),
             'resources', jsonb_build_object('${ctx.resourceUrl}', 'files:read files:write chat:read chat:write'),
             'iat', 1790000000, 'exp', 1830000000),
           'scale-grant-' || n, now() + interval '300 days'
    FROM generate_series(1, ${grants}) AS n`);
  await ctx.prisma.$executeRawUnsafe(`
    INSERT INTO "OidcPayload" ("model", "id", "payload", "grantId", "expiresAt", "consumedAt")
    SELECT 'RefreshToken', 'scale-rt-' || n || '-' || md5(n::text),
           jsonb_build_object('kind', 'RefreshToken', 'jti', 'scale-rt-' || n, 'grantId', 'scale-grant-' || (n % ${Math.max(grants, 1)} + 1),
             'accountId', md5(n::text)::uuid::text, 'clientId', 'scale-client-' || (n % ${Math.max(clients, 1)} + 1),
             'scope', 'files:read files:write chat:read chat:write', 'rotations', n % 7, 'iat', 1790000000, 'exp', 1830000000),
           'scale-grant-' || (n % ${Math.max(grants, 1)} + 1), now() + interval '30 days',
           CASE WHEN n % 3 = 0 THEN now() ELSE NULL END
    FROM generate_series(1, ${tokens}) AS n`);
  await ctx.prisma.$executeRawUnsafe('ANALYZE "OidcPayload"');
}

export async function runScaleFigures(ctx: BenchContext): Promise<void> {
  const connections = 2;
  const seconds = ctx.mode.loadSeconds;
  let chains = await mintChains(ctx, ctx.auth, connections);
  const empty = await measureRefresh(ctx, ctx.auth, chains, { connections, seconds, label: 'auth.scale.empty' });
  chains = empty.chains;

  const started = performance.now();
  await seedOidcRows(ctx, ctx.mode.scaleRows);
  const seededSeconds = (performance.now() - started) / 1000;
  const stored = await ctx.prisma.oidcPayload.count();

  const full = await measureRefresh(ctx, ctx.auth, chains, { connections, seconds, label: 'auth.scale.full' });
  const ratio = full.result.latency.p50 / empty.result.latency.p50;
  ctx.report.add({ name: 'baseline.scale.empty_refresh_p50', value: empty.result.latency.p50, unit: 'ms', note: `p99 ${empty.result.latency.p99} ms, ${connections} connections` });
  ctx.report.add({
    name: 'auth.scale',
    value: full.result.latency.p50,
    unit: 'ms',
    against: [{ baseline: 'empty DB', value: empty.result.latency.p50 }],
    bars: [atMost('≤ 1.3× empty DB', ratio, 1.3)],
    note:
      `refresh p50 with ${stored.toLocaleString('en-US')} OidcPayload rows (${ctx.mode.scaleRows.toLocaleString('en-US')} generated in ${seededSeconds.toFixed(1)} s); ` +
      `p99 ${full.result.latency.p99} ms${ctx.mode.quick ? '; quick mode: a smaller store than the full run’s 1,000,000 rows' : ''}`,
  });
}
