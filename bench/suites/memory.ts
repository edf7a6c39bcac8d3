// Memory: the resident set of each app under load must stay under 200 MB and flat. Full mode runs
// a two-minute soak per app (MCP tool calls; refresh grants); quick mode reports the peaks seen
// during the other figures and leaves flatness to the full run.
import { LATEST_PROTOCOL_VERSION } from '@modelcontextprotocol/sdk/types.js';
import { mintChains } from '../lib/chains.js';
import { BENCH_FILE_PATH, type BenchContext } from '../lib/context.js';
import { atMost } from '../lib/figures.js';
import { assertClean, withRssSampling } from '../lib/measure.js';
import type { ServerHandle } from '../lib/processes.js';

const MB = 1024 * 1024;
const RSS_LIMIT_MB = 200;
/** "Flat": the last quarter of the soak averages at most this much above its second quarter. */
const MAX_GROWTH = 0.1;

function heapNote(ctx: BenchContext, server: ServerHandle): string {
  const stats = ctx.lastStats.get(server.name);
  return stats ? `V8 heap ${(stats.heapTotalBytes / MB).toFixed(0)} MB, external ${(stats.externalBytes / MB).toFixed(0)} MB after its last load` : 'no load measured';
}

const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / Math.max(values.length, 1);

function reportSoak(ctx: BenchContext, server: ServerHandle, samples: number[], load: string): void {
  const quarter = Math.max(1, Math.floor(samples.length / 4));
  const early = mean(samples.slice(quarter, 2 * quarter));
  const late = mean(samples.slice(samples.length - quarter));
  const peak = Math.max(...samples);
  const growth = late / early - 1;
  ctx.report.add({
    name: `memory.${server.name}.rss_peak`,
    value: peak / MB,
    unit: 'MB',
    bars: [atMost(`≤ ${RSS_LIMIT_MB} MB`, peak / MB, RSS_LIMIT_MB)],
    note: `${load}, ${ctx.mode.soakSeconds} s; ${heapNote(ctx, server)}`,
  });
  ctx.report.add({
    name: `memory.${server.name}.rss_growth`,
    value: growth * 100,
    unit: '%',
    bars: [atMost(`flat (≤ ${MAX_GROWTH * 100}% last vs second quarter)`, growth, MAX_GROWTH)],
    note: `RSS ${(early / MB).toFixed(0)} MB in the second quarter, ${(late / MB).toFixed(0)} MB in the last`,
  });
}

export async function runMemoryFigures(ctx: BenchContext): Promise<void> {
  if (ctx.mode.soakSeconds <= 0) {
    for (const server of [ctx.mcp, ctx.auth]) {
      const peak = (ctx.peakRss.get(server.name) ?? 0) / MB;
      ctx.report.add({
        name: `memory.${server.name}.rss_peak`,
        value: peak,
        unit: 'MB',
        bars: [atMost(`≤ ${RSS_LIMIT_MB} MB`, peak, RSS_LIMIT_MB)],
        note: `peak during the other figures (${heapNote(ctx, server)}); quick mode: no soak, flatness is checked by the full run only`,
      });
    }
    return;
  }

  const headers = {
    'content-type': 'application/json',
    accept: 'application/json, text/event-stream',
    'mcp-protocol-version': LATEST_PROTOCOL_VERSION,
    authorization: `Bearer ${ctx.mcpTokens.accessToken}`,
  };
  const call = (name: string, args: Record<string, unknown>) =>
    JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name, arguments: args } });
  const mcp = await withRssSampling(
    ctx.mcp.pid,
    () =>
      ctx.load.run({
        kind: 'fixed',
        url: `${ctx.mcp.url}/mcp`,
        method: 'POST',
        headers,
        bodies: [call('whoami', {}), call('private_files_read', { path: BENCH_FILE_PATH }), call('private_files_list', {})],
        connections: ctx.mode.connections,
        durationSeconds: ctx.mode.soakSeconds,
      }),
    1000,
  );
  assertClean('MCP soak', mcp.result);
  ctx.lastStats.set(ctx.mcp.name, await ctx.mcp.stats());
  reportSoak(ctx, ctx.mcp, mcp.samples, `whoami / private_files_read / private_files_list at ${ctx.mode.connections} connections, ${Math.round(mcp.result.requestsPerSecond)} req/s`);

  const connections = ctx.mode.refreshConnections;
  const chains = await mintChains(ctx, ctx.auth, connections);
  const warm = await ctx.load.run({ kind: 'refresh', url: `${ctx.auth.url}/token`, chains, connections, amount: connections * 20 });
  assertClean('auth soak warm-up', warm);
  const amount = Math.round(warm.requestsPerSecond * ctx.mode.soakSeconds);
  const auth = await withRssSampling(
    ctx.auth.pid,
    () => ctx.load.run({ kind: 'refresh', url: `${ctx.auth.url}/token`, chains: warm.chains ?? [], connections, amount }),
    1000,
  );
  assertClean('auth soak', auth.result);
  ctx.lastStats.set(ctx.auth.name, await ctx.auth.stats());
  reportSoak(ctx, ctx.auth, auth.samples, `refresh grants at ${connections} connections, ${Math.round(auth.result.requestsPerSecond)} req/s`);
}
