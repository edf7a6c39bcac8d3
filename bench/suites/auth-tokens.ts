// The authorization server's load: refresh grants (what every connected client does every few
// minutes) and the full first link, ours on Prisma/Postgres against baseline (c), the same app on
// oidc-provider's in-memory adapter.
import { performance } from 'node:perf_hooks';
import { mintChains, takeUser } from '../lib/chains.js';
import type { BenchContext } from '../lib/context.js';
import { atLeast, atMost } from '../lib/figures.js';
import type { LoadResult, RefreshChain } from '../lib/load-protocol.js';
import { assertClean, cpu, measured } from '../lib/measure.js';
import { linkAccount } from '../lib/oauth-flow.js';
import type { ServerHandle } from '../lib/processes.js';

/**
 * Refresh throughput: a warm-up, then a fixed number of requests sized from it to last about
 * `seconds` (a fixed count ends with every rotated token received, so the chains stay usable).
 */
export async function measureRefresh(
  ctx: BenchContext,
  server: ServerHandle,
  chains: RefreshChain[],
  options: { connections: number; seconds: number; warmupRequests?: number; label?: string },
): Promise<{ result: LoadResult; chains: RefreshChain[] }> {
  const url = `${server.url}/token`;
  const warm = await ctx.load.run({ kind: 'refresh', url, chains, connections: options.connections, amount: options.warmupRequests ?? options.connections * 10 });
  assertClean(`${server.name} refresh warm-up`, warm);
  const amount = Math.max(options.connections * 5, Math.round(warm.requestsPerSecond * options.seconds));
  const result = await measured(
    ctx,
    server,
    () => ctx.load.run({ kind: 'refresh', url, chains: warm.chains ?? [], connections: options.connections, amount }),
    options.label,
  );
  return { result, chains: result.chains ?? [] };
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

export async function runAuthFigures(ctx: BenchContext): Promise<RefreshChain[]> {
  const connections = ctx.mode.refreshConnections;
  const oursChains = await mintChains(ctx, ctx.auth, connections);
  const memoryChains = await mintChains(ctx, ctx.authMemory, connections);

  const baseline = await measureRefresh(ctx, ctx.authMemory, memoryChains, { connections, seconds: ctx.mode.loadSeconds, label: 'baseline.c.refresh' });
  ctx.report.add({
    name: 'baseline.c.refresh',
    value: baseline.result.requestsPerSecond,
    unit: 'req/s',
    note: `oidc-provider in-memory adapter, p50 ${baseline.result.latency.p50} ms; ${cpu(baseline.result)}`,
  });
  const ours = await measureRefresh(ctx, ctx.auth, oursChains, { connections, seconds: ctx.mode.loadSeconds, label: 'auth.token.refresh' });
  ctx.report.add({
    name: 'auth.token.refresh',
    value: ours.result.requestsPerSecond,
    unit: 'req/s',
    against: [{ baseline: 'c', value: baseline.result.requestsPerSecond }],
    bars: [atLeast('≥ 60% of c', ours.result.requestsPerSecond / baseline.result.requestsPerSecond, 0.6)],
    note: `Prisma/Postgres, rotation on, p50 ${ours.result.latency.p50} ms, p99 ${ours.result.latency.p99} ms at ${connections} connections; ${cpu(ours.result)}`,
  });

  // The first link, one after another, alternating servers so drift hits both alike.
  const oursMs: number[] = [];
  const memoryMs: number[] = [];
  for (let i = 0; i < ctx.mode.flowSamples; i++) {
    for (const [server, samples] of [[ctx.auth, oursMs], [ctx.authMemory, memoryMs]] as const) {
      const start = performance.now();
      await linkAccount(server.url, ctx.resourceUrl, takeUser(ctx));
      samples.push(performance.now() - start);
    }
  }
  const oursFlow = median(oursMs);
  const memoryFlow = median(memoryMs);
  ctx.report.add({ name: 'baseline.c.flow_link', value: memoryFlow, unit: 'ms', note: `median of ${ctx.mode.flowSamples}` });
  ctx.report.add({
    name: 'auth.flow.link',
    value: oursFlow,
    unit: 'ms',
    against: [{ baseline: 'c', value: memoryFlow }],
    bars: [atMost('≤ 2× c', oursFlow / memoryFlow, 2)],
    note: `DCR → authorize → login (argon2id) → consent → token over HTTP, median of ${ctx.mode.flowSamples}`,
  });
  return ours.chains;
}
