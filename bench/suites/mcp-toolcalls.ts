// MCP hot path: authenticated tools/call through our /mcp against (a) a bare Fastify JSON route and
// (b) the SDK's documented stateless pattern, same token, same tools, same load, measured in
// interleaved rounds (the median round of each counts). Also the cost of Prometheus metrics on
// that path: the same app with MCP_METRICS_PORT=0, in the same rounds.
import { LATEST_PROTOCOL_VERSION } from '@modelcontextprotocol/sdk/types.js';
import { BENCH_FILE_PATH, type BenchContext } from '../lib/context.js';
import { atLeast, atMost } from '../lib/figures.js';
import type { FixedLoad, LoadResult } from '../lib/load-protocol.js';
import { cpu, measured, measureInterleaved, rounds } from '../lib/measure.js';
import type { ServerHandle } from '../lib/processes.js';

export type McpBaselines = {
  bareFastify: ServerHandle;
  sdkStateless: ServerHandle;
  /** Our app with metrics off; ctx.mcp has them on (production's default). */
  metricsOff: ServerHandle;
  /** ctx.mcp's metrics listener. */
  metricsUrl: string;
};

function toolCall(server: ServerHandle, token: string | null, name: string, args: Record<string, unknown>): FixedLoad {
  return {
    kind: 'fixed',
    url: `${server.url}/mcp`,
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-protocol-version': LATEST_PROTOCOL_VERSION,
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name, arguments: args } }),
  };
}

/** One call before the load: a figure over error answers would measure the wrong thing. */
async function expectToolResult(load: FixedLoad, mustContain: string): Promise<void> {
  const response = await fetch(load.url, { method: 'POST', headers: load.headers, body: load.body ?? null });
  const text = await response.text();
  if (response.status !== 200 || !text.includes(mustContain) || text.includes('"isError":true')) {
    throw new Error(`sanity call to ${load.url} failed: ${response.status} ${text.slice(0, 300)}`);
  }
}

export async function runMcpToolCalls(ctx: BenchContext, baselines: McpBaselines): Promise<void> {
  const token = ctx.mcpTokens.accessToken;
  const subject = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()).sub as string;
  const loads = {
    bare: toolCall(baselines.bareFastify, null, 'whoami', {}),
    sdkWhoami: toolCall(baselines.sdkStateless, token, 'whoami', {}),
    oursWhoami: toolCall(ctx.mcp, token, 'whoami', {}),
    oursWhoamiNoMetrics: toolCall(baselines.metricsOff, token, 'whoami', {}),
    sdkRead: toolCall(baselines.sdkStateless, token, 'private_files_read', { path: BENCH_FILE_PATH }),
    oursRead: toolCall(ctx.mcp, token, 'private_files_read', { path: BENCH_FILE_PATH }),
  };
  await expectToolResult(loads.sdkWhoami, subject);
  await expectToolResult(loads.oursWhoami, subject);
  await expectToolResult(loads.oursWhoamiNoMetrics, subject);
  await expectToolResult(loads.sdkRead, 'bench file');
  await expectToolResult(loads.oursRead, 'bench file');

  const { bare, sdk, ours, sdkRead, oursRead } = await measureInterleaved(ctx, {
    bare: { server: baselines.bareFastify, request: loads.bare, label: 'baseline.a' },
    sdk: { server: baselines.sdkStateless, request: loads.sdkWhoami, label: 'baseline.b' },
    ours: { server: ctx.mcp, request: loads.oursWhoami, label: 'mcp.toolcall.auth' },
    sdkRead: { server: baselines.sdkStateless, request: loads.sdkRead, label: 'baseline.b.db' },
    oursRead: { server: ctx.mcp, request: loads.oursRead, label: 'mcp.toolcall.db' },
  });
  ctx.report.add({ name: 'baseline.a.fastify_bare', value: bare.requestsPerSecond, unit: 'req/s', note: `bare Fastify JSON route, no auth; ${cpu(bare)}; ${rounds(bare)}` });
  ctx.report.add({
    name: 'baseline.b.sdk_stateless',
    value: sdk.requestsPerSecond,
    unit: 'req/s',
    against: [{ baseline: 'a', value: bare.requestsPerSecond }],
    note: `Express 5 + requireBearerAuth + new McpServer and StreamableHTTPServerTransport per request, jose RS256, whoami; ${cpu(sdk)}; ${rounds(sdk)}`,
  });
  ctx.report.add({
    name: 'mcp.toolcall.auth',
    value: ours.requestsPerSecond,
    unit: 'req/s',
    against: [
      { baseline: 'b', value: sdk.requestsPerSecond },
      { baseline: 'a', value: bare.requestsPerSecond },
    ],
    bars: [
      atLeast('≥ 8× b', ours.requestsPerSecond / sdk.requestsPerSecond, 8),
      atLeast('≥ 20% of a', ours.requestsPerSecond / bare.requestsPerSecond, 0.2),
    ],
    note: `p50 ${ours.latency.p50} ms, p99 ${ours.latency.p99} ms at ${ctx.mode.connections} connections; ${cpu(ours)}; ${rounds(ours)}`,
  });

  await reportMetricsCost(ctx, { on: { server: ctx.mcp, request: loads.oursWhoami }, off: { server: baselines.metricsOff, request: loads.oursWhoamiNoMetrics } }, baselines.metricsUrl);

  ctx.report.add({ name: 'baseline.b.sdk_stateless_db', value: sdkRead.requestsPerSecond, unit: 'req/s', note: `baseline (b) calling private_files_read; ${cpu(sdkRead)}; ${rounds(sdkRead)}` });
  ctx.report.add({
    name: 'mcp.toolcall.db',
    value: oursRead.requestsPerSecond,
    unit: 'req/s',
    against: [{ baseline: 'b', value: sdkRead.requestsPerSecond }],
    bars: [atLeast('≥ 5× b', oursRead.requestsPerSecond / sdkRead.requestsPerSecond, 5)],
    note: `private_files_read on Postgres; p50 ${oursRead.latency.p50} ms, p99 ${oursRead.latency.p99} ms; ${cpu(oursRead)}; ${rounds(oursRead)}`,
  });
}

/** Short back-to-back pairs: on a shared machine, load from others moves over seconds. */
const METRICS_PAIRS = { full: 12, quick: 3 };
const METRICS_PAIR_SECONDS = { full: 1.5, quick: 1 };

/**
 * mcp.metrics.cost: whoami with metrics on (production's default) against the same app with
 * MCP_METRICS_PORT=0. Measured in many short pairs, alternating which side goes first, and the
 * figure is the median of the pairs' throughput ratios: two loads a second apart see the same
 * machine, where the medians of two separate series could pair a busy moment with a quiet one.
 */
async function reportMetricsCost(
  ctx: BenchContext,
  sides: Record<'on' | 'off', { server: ServerHandle; request: FixedLoad }>,
  metricsUrl: string,
): Promise<void> {
  const mode = ctx.mode.quick ? 'quick' : 'full';
  const connections = ctx.mode.connections;
  const run = (side: 'on' | 'off', durationSeconds: number) =>
    measured(ctx, sides[side].server, () => ctx.load.run({ ...sides[side].request, connections, durationSeconds }), `mcp.metrics.${side}`);
  await run('on', ctx.mode.warmupSeconds);
  await run('off', ctx.mode.warmupSeconds);
  const pairs: Array<{ on: LoadResult; off: LoadResult }> = [];
  for (let pair = 0; pair < METRICS_PAIRS[mode]; pair += 1) {
    const order: Array<'on' | 'off'> = pair % 2 === 0 ? ['on', 'off'] : ['off', 'on'];
    const results: Partial<Record<'on' | 'off', LoadResult>> = {};
    for (const side of order) results[side] = await run(side, METRICS_PAIR_SECONDS[mode]);
    pairs.push({ on: results.on!, off: results.off! });
  }
  const median = (values: number[]) => [...values].sort((x, y) => x - y)[Math.floor((values.length - 1) / 2)] ?? Number.NaN;
  const throughputRatio = median(pairs.map(({ on, off }) => on.requestsPerSecond / off.requestsPerSecond));
  const cpuRatio = median(pairs.map(({ on, off }) => (on.serverCpuMicrosPerRequest ?? Number.NaN) / (off.serverCpuMicrosPerRequest ?? Number.NaN)));
  const costPercent = (1 - throughputRatio) * 100;

  // The load really ran with metrics: the listener counted at least every call of the pairs.
  const scraped = await (await fetch(metricsUrl)).text();
  const counted = Number(/^omnichat_tool_calls_total\{[^}]*tool="whoami"[^}]*outcome="ok"[^}]*\} (\d+)$/m.exec(scraped)?.[1] ?? 0);
  const onCalls = pairs.reduce((sum, { on }) => sum + on.ok, 0);
  if (counted < onCalls) throw new Error(`metrics on: ${counted} whoami calls counted, fewer than the ${onCalls} sent — the load did not run with metrics`);

  const rate = (results: LoadResult[]) => Math.round(median(results.map((r) => r.requestsPerSecond))).toLocaleString('en-US');
  const cpuOf = (results: LoadResult[]) => median(results.map((r) => r.serverCpuMicrosPerRequest ?? Number.NaN)).toFixed(0);
  ctx.report.add({
    name: 'mcp.metrics.cost',
    value: costPercent,
    unit: '% of whoami throughput',
    bars: [atMost('≤ 5 %', costPercent, 5)],
    note:
      `median of ${pairs.length} back-to-back ${METRICS_PAIR_SECONDS[mode]} s pairs: on ${rate(pairs.map((p) => p.on))} req/s (${cpuOf(pairs.map((p) => p.on))} µs CPU/req), ` +
      `off ${rate(pairs.map((p) => p.off))} req/s (${cpuOf(pairs.map((p) => p.off))} µs CPU/req); server CPU per call ${((cpuRatio - 1) * 100).toFixed(1)} % more with metrics; ` +
      `pair ratios ${pairs.map(({ on, off }) => (on.requestsPerSecond / off.requestsPerSecond).toFixed(2)).join(' / ')}; ${counted.toLocaleString('en-US')} calls counted on the metrics listener`,
  });
}
