// What every server under test shares: tell the bench runner it is up, answer its questions about
// memory and event-loop delay over the IPC channel, and stop cleanly when told (so --cpu-prof
// profiles are written).
import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { monitorEventLoopDelay } from 'node:perf_hooks';

export type ServerStats = {
  rssBytes: number;
  heapUsedBytes: number;
  heapTotalBytes: number;
  /** Off-heap memory V8 knows of (Buffers, WebAssembly memories). */
  externalBytes: number;
  /** User + system CPU time of the whole process since it started, microseconds. */
  cpuMicros: number;
  /** Event-loop delay since the last reset, milliseconds. */
  eventLoopDelayMs: { p50: number; p99: number; max: number };
};

export type RunnerMessage =
  | { type: 'stats'; reset?: boolean }
  | { type: 'stop' }
  /** CPU profile of exactly one measured load (BENCH_CPU_PROF=1): start, then stop into `file`. */
  | { type: 'profile'; action: 'start' }
  | { type: 'profile'; action: 'stop'; file: string };
export type ServerMessage = { type: 'ready'; port: number } | ({ type: 'stats' } & ServerStats) | { type: 'profiled' };

const NS_PER_MS = 1e6;

/** Wires the IPC channel; `close` is called once on stop before the process exits. */
export function serveBenchIpc(port: number, close: () => Promise<void>): void {
  const send = process.send?.bind(process);
  if (!send) throw new Error('a bench server runs as a child of bench/run.ts (no IPC channel)');
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();

  process.on('message', (message: RunnerMessage) => {
    if (message.type === 'stats') {
      const memory = process.memoryUsage();
      const reply: ServerMessage = {
        type: 'stats',
        rssBytes: memory.rss,
        heapUsedBytes: memory.heapUsed,
        heapTotalBytes: memory.heapTotal,
        externalBytes: memory.external,
        cpuMicros: process.cpuUsage().user + process.cpuUsage().system,
        eventLoopDelayMs: {
          p50: delay.percentile(50) / NS_PER_MS,
          p99: delay.percentile(99) / NS_PER_MS,
          max: delay.max / NS_PER_MS,
        },
      };
      if (message.reset) delay.reset();
      send(reply);
    } else if (message.type === 'profile') {
      void profile(message).then(() => send({ type: 'profiled' } satisfies ServerMessage));
    } else if (message.type === 'stop') {
      void close()
        .catch(() => undefined)
        .finally(() => process.exit(0));
    }
  });
  // The runner going away must not leave a server behind.
  process.on('disconnect', () => process.exit(0));
  send({ type: 'ready', port } satisfies ServerMessage);
}

let inspector: Session | undefined;

async function profile(message: Extract<RunnerMessage, { type: 'profile' }>): Promise<void> {
  if (message.action === 'start') {
    inspector = new Session();
    inspector.connect();
    await inspector.post('Profiler.enable');
    await inspector.post('Profiler.start');
    return;
  }
  if (!inspector) return;
  const { profile: result } = await inspector.post('Profiler.stop');
  inspector.disconnect();
  inspector = undefined;
  await writeFile(message.file, JSON.stringify(result));
}

/** The port the runner chose, from the environment it started us with. */
export function benchPort(): number {
  const port = Number(process.env.BENCH_PORT);
  if (!Number.isInteger(port) || port <= 0) throw new Error('BENCH_PORT is not set');
  return port;
}
