// MCP hot path at production defaults (bundles, LOG_LEVEL=info, access log to a pipe):
// authenticated tools/call through our /mcp, as 2025-11-25 and as 2026-07-28 requests, against
// (a) a bare Fastify JSON route, (b) the SDK v1 stateless pattern running our tools and (d) the
// SDK v2's minimal documented pattern (one trivial tool), same token, same load, measured in
// interleaved rounds (the median round of each counts). Ours at LOG_LEVEL=warn prices the access log,
// ours with MCP_METRICS_PORT=0 the Prometheus metrics.
import { BENCH_FILE_PATH, type BenchContext } from '../lib/context.js';
import { atLeast } from '../lib/figures.js';
import type { FixedLoad } from '../lib/load-protocol.js';
import { cpu, measureInterleaved, rounds } from '../lib/measure.js';
import type { ServerHandle } from '../lib/processes.js';

export type McpBaselines = { bareFastify: ServerHandle; sdkStateless: ServerHandle; sdkMinimal: ServerHandle; mcpQuiet: ServerHandle; mcpNoMetrics: ServerHandle };

export type Revision = '2025-11-25' | '2026-07-28';

export function toolCall(server: ServerHandle, token: string | null, name: string, args: Record<string, unknown>, revision: Revision = '2025-11-25'): FixedLoad {
  const modern = revision === '2026-07-28';
  const params = {
    name,
    arguments: args,
    ...(modern
      ? {
          _meta: {
            'io.modelcontextprotocol/protocolVersion': revision,
            'io.modelcontextprotocol/clientInfo': { name: 'bench', version: '1.0.0' },
            'io.modelcontextprotocol/clientCapabilities': {},
          },
        }
      : {}),
  };
  return {
    kind: 'fixed',
    url: `${server.url}/mcp`,
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-protocol-version': revision,
      ...(modern ? { 'mcp-method': 'tools/call', 'mcp-name': name } : {}),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params }),
  };
}

/** One call before the load: a figure over error answers would measure the wrong thing. */
export async function expectToolResult(load: FixedLoad, mustContain: string): Promise<void> {
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
    minimal: toolCall(baselines.sdkMinimal, token, 'whoami', {}),
    minimal2026: toolCall(baselines.sdkMinimal, token, 'whoami', {}, '2026-07-28'),
    oursWhoami: toolCall(ctx.mcp, token, 'whoami', {}),
    ours2026: toolCall(ctx.mcp, token, 'whoami', {}, '2026-07-28'),
    quiet: toolCall(baselines.mcpQuiet, token, 'whoami', {}),
    quiet2026: toolCall(baselines.mcpQuiet, token, 'whoami', {}, '2026-07-28'),
    noMetrics: toolCall(baselines.mcpNoMetrics, token, 'whoami', {}),
    sdkRead: toolCall(baselines.sdkStateless, token, 'private_files_read', { path: BENCH_FILE_PATH }),
    oursRead: toolCall(ctx.mcp, token, 'private_files_read', { path: BENCH_FILE_PATH }),
  };
  await expectToolResult(loads.sdkWhoami, subject);
  await expectToolResult(loads.minimal, subject);
  await expectToolResult(loads.minimal2026, subject);
  await expectToolResult(loads.oursWhoami, subject);
  await expectToolResult(loads.ours2026, '"resultType":"complete"');
  await expectToolResult(loads.quiet2026, subject);
  await expectToolResult(loads.noMetrics, subject);
  await expectToolResult(loads.sdkRead, 'bench file');
  await expectToolResult(loads.oursRead, 'bench file');

  const m = await measureInterleaved(ctx, {
    bare: { server: baselines.bareFastify, request: loads.bare, label: 'baseline.a' },
    sdk: { server: baselines.sdkStateless, request: loads.sdkWhoami, label: 'baseline.b' },
    minimal: { server: baselines.sdkMinimal, request: loads.minimal, label: 'baseline.d' },
    minimal2026: { server: baselines.sdkMinimal, request: loads.minimal2026, label: 'baseline.d.2026' },
    ours: { server: ctx.mcp, request: loads.oursWhoami, label: 'mcp.toolcall.auth' },
    ours2026: { server: ctx.mcp, request: loads.ours2026, label: 'mcp.toolcall.auth.2026' },
    quiet: { server: baselines.mcpQuiet, request: loads.quiet, label: 'mcp.toolcall.auth.warn' },
    quiet2026: { server: baselines.mcpQuiet, request: loads.quiet2026, label: 'mcp.toolcall.auth.2026.warn' },
    noMetrics: { server: baselines.mcpNoMetrics, request: loads.noMetrics, label: 'mcp.toolcall.auth.no_metrics' },
    sdkRead: { server: baselines.sdkStateless, request: loads.sdkRead, label: 'baseline.b.db' },
    oursRead: { server: ctx.mcp, request: loads.oursRead, label: 'mcp.toolcall.db' },
  });
  const { bare, sdk, minimal, minimal2026, ours, ours2026, quiet, quiet2026, noMetrics, sdkRead, oursRead } = m;
  ctx.report.add({ name: 'baseline.a.fastify_bare', value: bare.requestsPerSecond, unit: 'req/s', note: `bare Fastify JSON route, no auth, no logger; ${cpu(bare)}; ${rounds(bare)}` });
  ctx.report.add({
    name: 'baseline.b.sdk_stateless',
    value: sdk.requestsPerSecond,
    unit: 'req/s',
    against: [{ baseline: 'a', value: bare.requestsPerSecond }],
    note: `SDK v1: Express 5 + requireBearerAuth + new McpServer and StreamableHTTPServerTransport per request, jose RS256, our whoami; ${cpu(sdk)}; ${rounds(sdk)}`,
  });
  for (const [suffix, base, revision] of [['', minimal, '2025-11-25'], ['_2026', minimal2026, '2026-07-28']] as const) {
    ctx.report.add({
      name: `baseline.d.sdk_minimal${suffix}`,
      value: base.requestsPerSecond,
      unit: 'req/s',
      against: [{ baseline: 'a', value: bare.requestsPerSecond }],
      note: `SDK v2 minimal documented pattern (createMcpExpressApp + requireBearerAuth + createMcpHandler, new McpServer per request, one trivial tool), ${revision} requests; ${cpu(base)}; ${rounds(base)}`,
    });
  }
  for (const [suffix, mine, base, warn, revision] of [['', ours, minimal, quiet, '2025-11-25'], ['_2026', ours2026, minimal2026, quiet2026, '2026-07-28']] as const) {
    ctx.report.add({
      name: `mcp.toolcall.auth${suffix}`,
      value: mine.requestsPerSecond,
      unit: 'req/s',
      against: [
        { baseline: 'a', value: bare.requestsPerSecond },
        { baseline: 'd', value: base.requestsPerSecond },
        { baseline: 'b', value: sdk.requestsPerSecond },
      ],
      bars: [
        atLeast('≥ 30% of a', mine.requestsPerSecond / bare.requestsPerSecond, 0.3),
        atLeast('≥ 4× d', mine.requestsPerSecond / base.requestsPerSecond, 4),
      ],
      note: `whoami as ${revision} requests at LOG_LEVEL=info (access log to a pipe); p50 ${mine.latency.p50} ms, p99 ${mine.latency.p99} ms at ${ctx.mode.connections} connections; ${cpu(mine)}; ${rounds(mine)}`,
    });
    ctx.report.add({
      name: `mcp.access_log_cost${suffix}`,
      value: Math.round((1 - mine.requestsPerSecond / warn.requestsPerSecond) * 1000) / 10,
      unit: '% of throughput',
      against: [{ baseline: 'warn', value: warn.requestsPerSecond }],
      bars: [atLeast('≤ 10%', mine.requestsPerSecond / warn.requestsPerSecond, 0.9)],
      note: `${revision}: ${Math.round(mine.requestsPerSecond)} req/s at info vs ${Math.round(warn.requestsPerSecond)} at warn (${cpu(warn)}; ${rounds(warn)})`,
    });
  }

  ctx.report.add({
    name: 'mcp.metrics.cost',
    value: Math.round((1 - ours.requestsPerSecond / noMetrics.requestsPerSecond) * 1000) / 10,
    unit: '% of throughput',
    against: [{ baseline: 'metrics off', value: noMetrics.requestsPerSecond }],
    bars: [atLeast('≤ 5%', ours.requestsPerSecond / noMetrics.requestsPerSecond, 0.95)],
    note: `whoami (2025-11-25) with metrics on (production's default) ${Math.round(ours.requestsPerSecond)} req/s vs MCP_METRICS_PORT=0 ${Math.round(noMetrics.requestsPerSecond)} req/s (${cpu(noMetrics)}; ${rounds(noMetrics)})`,
  });

  ctx.report.add({ name: 'baseline.b.sdk_stateless_db', value: sdkRead.requestsPerSecond, unit: 'req/s', note: `baseline (b) calling private_files_read; ${cpu(sdkRead)}; ${rounds(sdkRead)}` });
  ctx.report.add({
    name: 'mcp.toolcall.db',
    value: oursRead.requestsPerSecond,
    unit: 'req/s',
    against: [{ baseline: 'b', value: sdkRead.requestsPerSecond }],
    bars: [atLeast('≥ 5× b', oursRead.requestsPerSecond / sdkRead.requestsPerSecond, 5)],
    note: `private_files_read on Postgres at LOG_LEVEL=info; p50 ${oursRead.latency.p50} ms, p99 ${oursRead.latency.p99} ms; ${cpu(oursRead)}; ${rounds(oursRead)}`,
  });
}
