import type { BenchContext } from './context.js';
import type { LoadRequest, LoadResult } from './load-protocol.js';
import { rssOf, type ServerHandle } from './processes.js';

/** Samples a process's RSS while `work` runs; returns the work's result and the peak. */
export async function withRssSampling<T>(pid: number, work: () => Promise<T>, everyMs = 250): Promise<{ result: T; peakRss: number; samples: number[] }> {
  const samples: number[] = [];
  const timer = setInterval(() => samples.push(rssOf(pid)), everyMs);
  try {
    const result = await work();
    samples.push(rssOf(pid));
    return { result, peakRss: Math.max(...samples), samples };
  } finally {
    clearInterval(timer);
  }
}

/**
 * Measures several loads in interleaved rounds (a, b, c, a, b, c, ...) after one warm-up each, so
 * that a slow moment of a shared machine lands on every load rather than on one figure. Returns
 * each load's median round: the figure whose ratios are compared. Server CPU per request is the
 * mean over all rounds.
 */
export async function measureInterleaved<K extends string>(
  ctx: BenchContext,
  loads: Record<K, { server: ServerHandle; request: Omit<LoadRequest, 'connections' | 'durationSeconds' | 'amount'>; label: string }>,
): Promise<Record<K, LoadResult & { rounds: number[] }>> {
  const keys = Object.keys(loads) as K[];
  const byLoad = new Map<K, LoadResult[]>(keys.map((key) => [key, []]));
  const connections = ctx.mode.connections;
  for (const key of keys) {
    await ctx.load.run({ ...loads[key].request, connections, durationSeconds: ctx.mode.warmupSeconds } as LoadRequest);
  }
  for (let round = 0; round < ctx.mode.rounds; round += 1) {
    for (const key of keys) {
      const { server, request, label } = loads[key];
      const result = await measured(ctx, server, () => ctx.load.run({ ...request, connections, durationSeconds: ctx.mode.roundSeconds } as LoadRequest), label);
      byLoad.get(key)!.push(result);
    }
  }
  return Object.fromEntries(
    keys.map((key) => {
      const results = byLoad.get(key)!;
      const sorted = [...results].sort((x, y) => x.requestsPerSecond - y.requestsPerSecond);
      const median = sorted[Math.floor((sorted.length - 1) / 2)]!;
      const cpuMicros = results.reduce((sum, r) => sum + (r.serverCpuMicrosPerRequest ?? 0), 0) / results.length;
      return [key, { ...median, serverCpuMicrosPerRequest: cpuMicros, rounds: results.map((r) => r.requestsPerSecond) }];
    }),
  ) as Record<K, LoadResult & { rounds: number[] }>;
}

/**
 * Runs one measured load: samples the server's RSS meanwhile and its CPU time per request (less
 * sensitive than throughput to other work on a shared machine, so the place to look when profiling).
 */
export async function measured(ctx: BenchContext, server: ServerHandle, run: () => Promise<LoadResult>, label?: string): Promise<LoadResult> {
  const before = await server.stats();
  const { result, peakRss } = await withRssSampling(server.pid, () => server.profiled(label ?? server.name, run));
  const after = await server.stats();
  ctx.lastStats.set(server.name, after);
  ctx.peakRss.set(server.name, Math.max(ctx.peakRss.get(server.name) ?? 0, peakRss));
  assertClean(server.name, result);
  return { ...result, serverCpuMicrosPerRequest: (after.cpuMicros - before.cpuMicros) / result.ok };
}

export function assertClean(what: string, result: LoadResult): void {
  if (result.non2xx > 0 || result.errors > 0 || result.ok === 0) {
    throw new Error(`${what}: ${result.ok} ok, ${result.non2xx} non-2xx, ${result.errors} errors — the load is not measuring what it should`);
  }
}

/** "server CPU 123 µs/req" for a figure's note. */
export function cpu(result: LoadResult): string {
  return result.serverCpuMicrosPerRequest === undefined ? '' : `server CPU ${result.serverCpuMicrosPerRequest.toFixed(0)} µs/req`;
}

/** "rounds 5,210 / 5,480 / 5,390 req/s" for a figure's note. */
export function rounds(result: { rounds: number[] }): string {
  return `rounds ${result.rounds.map((value) => Math.round(value).toLocaleString('en-US')).join(' / ')} req/s`;
}
