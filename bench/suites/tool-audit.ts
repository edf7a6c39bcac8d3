// What the tool-call audit costs on the hot path (issue 20, bar ≤ 5 % of throughput): whoami, the
// cheapest authenticated tools/call and so the one where a row per call weighs most, on our server
// at production defaults against its audit-off twin (BENCH_TOOL_AUDIT=off, otherwise identical),
// for both protocol revisions, in interleaved rounds of the same run. `pnpm bench --only=tool-audit`.
import type { BenchContext } from '../lib/context.js';
import { atLeast } from '../lib/figures.js';
import { cpu, measureInterleaved, rounds } from '../lib/measure.js';
import type { ServerHandle } from '../lib/processes.js';
import { expectToolResult, toolCall } from './mcp-toolcalls.js';

export async function runToolAuditCost(ctx: BenchContext, noAudit: ServerHandle): Promise<void> {
  const token = ctx.mcpTokens.accessToken;
  const subject = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()).sub as string;
  const loads = {
    audited: toolCall(ctx.mcp, token, 'whoami', {}),
    off: toolCall(noAudit, token, 'whoami', {}),
    audited2026: toolCall(ctx.mcp, token, 'whoami', {}, '2026-07-28'),
    off2026: toolCall(noAudit, token, 'whoami', {}, '2026-07-28'),
  };
  for (const load of Object.values(loads)) await expectToolResult(load, subject);
  const rowsBefore = await ctx.prisma.toolCall.count();

  const m = await measureInterleaved(ctx, {
    audited: { server: ctx.mcp, request: loads.audited, label: 'mcp.tool-audit.on' },
    off: { server: noAudit, request: loads.off, label: 'mcp.tool-audit.off' },
    audited2026: { server: ctx.mcp, request: loads.audited2026, label: 'mcp.tool-audit.on.2026' },
    off2026: { server: noAudit, request: loads.off2026, label: 'mcp.tool-audit.off.2026' },
  });
  // The audited server wrote a row per call (the twin none): the figure prices real writes.
  const written = (await ctx.prisma.toolCall.count()) - rowsBefore;

  for (const [suffix, on, off, revision] of [['', m.audited, m.off, '2025-11-25'], ['_2026', m.audited2026, m.off2026, '2026-07-28']] as const) {
    const cpuRatio = (on.serverCpuMicrosPerRequest ?? 0) / (off.serverCpuMicrosPerRequest || 1);
    ctx.report.add({
      name: `mcp.tool-audit.cost${suffix}`,
      value: Math.round((1 - on.requestsPerSecond / off.requestsPerSecond) * 1000) / 10,
      unit: '% of throughput',
      against: [{ baseline: 'audit off', value: off.requestsPerSecond }],
      bars: [atLeast('≤ 5%', on.requestsPerSecond / off.requestsPerSecond, 0.95)],
      note:
        `whoami (${revision}) audited ${Math.round(on.requestsPerSecond)} req/s vs audit off ${Math.round(off.requestsPerSecond)} req/s; ` +
        `server CPU per request ${cpuRatio.toFixed(3)}× the twin's (${cpu(on)} vs ${cpu(off)}); audited ${rounds(on)}; off ${rounds(off)}` +
        (suffix === '' ? `; ${written} rows written by the audited server during the suite` : ''),
    });
  }
}
