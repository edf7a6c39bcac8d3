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
 * Warm up, then measure one load against one server. Throws when any request failed: a figure
 * built on errors would be meaningless.
 */
export async function measureLoad(
  ctx: BenchContext,
  server: ServerHandle,
  request: Omit<LoadRequest, 'connections' | 'durationSeconds' | 'amount'> & { connections?: number },
  label?: string,
): Promise<LoadResult> {
  const connections = request.connections ?? ctx.mode.connections;
  await ctx.load.run({ ...request, connections, durationSeconds: ctx.mode.warmupSeconds } as LoadRequest);
  return measured(ctx, server, () => ctx.load.run({ ...request, connections, durationSeconds: ctx.mode.loadSeconds } as LoadRequest), label);
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
