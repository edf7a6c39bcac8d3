// MCP hot path: authenticated tools/call through our /mcp against (a) a bare Fastify JSON route and
// (b) the SDK's documented stateless pattern, same token, same tools, same load, measured in
// interleaved rounds (the median round of each counts). Also the cost of Prometheus metrics on
// that path: the same app with MCP_METRICS_PORT=0, in the same rounds.
import { LATEST_PROTOCOL_VERSION } from '@modelcontextprotocol/sdk/types.js';
import { BENCH_FILE_PATH, type BenchContext } from '../lib/context.js';
import { atLeast, atMost } from '../lib/figures.js';
import type { FixedLoad } from '../lib/load-protocol.js';
import { cpu, measureInterleaved, rounds } from '../lib/measure.js';
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

  const { bare, sdk, ours, oursOff, sdkRead, oursRead } = await measureInterleaved(ctx, {
    bare: { server: baselines.bareFastify, request: loads.bare, label: 'baseline.a' },
    sdk: { server: baselines.sdkStateless, request: loads.sdkWhoami, label: 'baseline.b' },
    ours: { server: ctx.mcp, request: loads.oursWhoami, label: 'mcp.toolcall.auth' },
    oursOff: { server: baselines.metricsOff, request: loads.oursWhoamiNoMetrics, label: 'mcp.toolcall.auth.metrics_off' },
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

  // The metrics figure: throughput lost with metrics on, and the server CPU each call costs more.
  const scraped = await (await fetch(baselines.metricsUrl)).text();
  const counted = Number(/^omnichat_tool_calls_total\{[^}]*tool="whoami"[^}]*outcome="ok"[^}]*\} (\d+)$/m.exec(scraped)?.[1] ?? 0);
  if (counted < ours.ok) throw new Error(`metrics on: ${counted} whoami calls counted, fewer than the ${ours.ok} of one round — the load did not run with metrics`);
  // On and off run back to back in every round, so each round's ratio compares like with like; the
  // median round ratio is the figure (a ratio of two medians could pair a busy round with a quiet one).
  const ratios = ours.rounds.map((onRate, round) => onRate / (oursOff.rounds[round] ?? Number.NaN)).sort((x, y) => x - y);
  const costPercent = (1 - (ratios[Math.floor((ratios.length - 1) / 2)] ?? Number.NaN)) * 100;
  const cpuOn = ours.serverCpuMicrosPerRequest ?? Number.NaN;
  const cpuOff = oursOff.serverCpuMicrosPerRequest ?? Number.NaN;
  ctx.report.add({
    name: 'mcp.metrics.cost',
    value: costPercent,
    unit: '% of whoami throughput',
    bars: [atMost('≤ 5 %', costPercent, 5)],
    note: `metrics on ${Math.round(ours.requestsPerSecond)} req/s (${cpu(ours)}; ${rounds(ours)}) vs off ${Math.round(oursOff.requestsPerSecond)} req/s (${cpu(oursOff)}; ${rounds(oursOff)}); round ratios ${ratios.map((ratio) => ratio.toFixed(3)).join(' / ')}; CPU per call ${((cpuOn / cpuOff - 1) * 100).toFixed(1)} % more; ${counted} calls counted on the metrics listener`,
  });

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
