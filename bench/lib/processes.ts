// Starting the servers under test and the load generator as child processes, each pinned to its
// core with taskset when the machine has two or more cores and taskset exists.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '@omnichat/testkit';
import type { RunnerMessage, ServerMessage, ServerStats } from '../servers/server-ipc.js';
import { bundle } from '../../scripts/bundle.js';
import type { LoadRequest, LoadResult } from './load-protocol.js';

export const BENCH_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const REPO_ROOT = path.resolve(BENCH_DIR, '..');

export type Pinning = { pinned: boolean; serverCore: string; loadCore: string; description: string };

/** Server on core 0, load generator and runner on the rest; unpinned where that is impossible. */
export function choosePinning(): Pinning {
  const cores = os.availableParallelism();
  let taskset = false;
  try {
    execFileSync('taskset', ['-p', String(process.pid)], { stdio: 'ignore' });
    taskset = true;
  } catch {
    taskset = false;
  }
  if (!taskset || cores < 2) {
    return { pinned: false, serverCore: '', loadCore: '', description: `not pinned (${taskset ? `${cores} core` : 'no taskset'})` };
  }
  const loadCore = cores === 2 ? '1' : `1-${cores - 1}`;
  // The runner itself (flow timings, micro-benchmarks) stays off the server's core too.
  execFileSync('taskset', ['-a', '-p', '-c', loadCore, String(process.pid)], { stdio: 'ignore' });
  return { pinned: true, serverCore: '0', loadCore, description: `server pinned to core 0 (taskset -c 0), load generator and runner on core ${loadCore}` };
}

/** Runs a .ts file through tsx, a bundle (.mjs) on plain node. */
function nodeCommand(pinning: Pinning, core: string, args: string[]): [string, string[]] {
  const node = args[0]?.endsWith('.ts') ? [process.execPath, '--import', 'tsx', ...args] : [process.execPath, ...args];
  return pinning.pinned ? ['taskset', ['-c', core, ...node]] : [node[0] as string, node.slice(1)];
}

export type ServerHandle = {
  name: string;
  port: number;
  pid: number;
  url: string;
  stats(reset?: boolean): Promise<ServerStats>;
  /** With BENCH_CPU_PROF=1, a V8 CPU profile of `work` alone in bench/results/profiles/<label>.cpuprofile. */
  profiled<T>(label: string, work: () => Promise<T>): Promise<T>;
  stop(): Promise<void>;
};

const SERVER_ENTRIES = ['auth-app', 'mcp-app', 'fastify-bare', 'sdk-stateless', 'sdk-minimal'] as const;
export type ServerEntry = (typeof SERVER_ENTRIES)[number];
const bundled = (entry: ServerEntry) => path.join(BENCH_DIR, 'dist', `${entry}.mjs`);

/**
 * Every server under test runs as production runs its apps: bundled by scripts/bundle.ts, on plain
 * node (no transpiler in the measured process, whose memory and start-up it would inflate).
 */
export async function bundleServers(): Promise<void> {
  await bundle(SERVER_ENTRIES.map((entry) => ({ entry: path.join(BENCH_DIR, 'servers', `${entry}.ts`), outfile: bundled(entry) })));
}

/**
 * Starts the bundle of bench/servers/<entry>.ts (see bundleServers) on the server core and waits
 * for it to listen. BENCH_CPU_PROF=1 writes a V8 CPU profile per server into
 * bench/results/profiles/ when it stops.
 */
export async function startServer(
  pinning: Pinning,
  name: string,
  entry: ServerEntry,
  env: Record<string, string>,
  port?: number,
  /** `pipe`: stdout goes to a pipe this runner drains and discards, as a container's log driver reads it. */
  stdout: 'inherit' | 'pipe' = 'inherit',
): Promise<ServerHandle> {
  const chosenPort = port ?? (await freePort());
  const [command, args] = nodeCommand(pinning, pinning.serverCore, [bundled(entry)]);
  const child = spawn(command, args, {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env, BENCH_PORT: String(chosenPort) },
    stdio: ['ignore', stdout, 'inherit', 'ipc'],
  });
  child.stdout?.resume();
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  const ready = new Promise<void>((resolve, reject) => {
    child.once('message', (message: ServerMessage) => (message.type === 'ready' ? resolve() : reject(new Error(`${name}: unexpected ${message.type}`))));
    void exited.then((code) => reject(new Error(`${name} exited with ${code} before it was ready`)));
  });
  await ready;

  let queue = Promise.resolve() as Promise<unknown>;
  const ask = <T>(message: RunnerMessage): Promise<T> => {
    const next = queue.then(
      () =>
        new Promise<T>((resolve) => {
          child.once('message', (reply: ServerMessage) => resolve(reply as T));
          child.send(message);
        }),
    );
    queue = next.catch(() => undefined);
    return next;
  };
  return {
    name,
    port: chosenPort,
    pid: child.pid ?? 0,
    url: `http://127.0.0.1:${chosenPort}`,
    stats: (reset = false) => ask<ServerStats>({ type: 'stats', reset }),
    async profiled(label, work) {
      if (process.env.BENCH_CPU_PROF !== '1') return work();
      const dir = path.join(BENCH_DIR, 'results/profiles');
      mkdirSync(dir, { recursive: true });
      await ask({ type: 'profile', action: 'start' });
      try {
        return await work();
      } finally {
        await ask({ type: 'profile', action: 'stop', file: path.join(dir, `${label}.cpuprofile`) });
      }
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.send({ type: 'stop' } satisfies RunnerMessage);
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Resident set size of a process from /proc (the server's own view can lag under load). */
export function rssOf(pid: number): number {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

export type LoadGenerator = {
  run(request: LoadRequest): Promise<LoadResult>;
  stop(): Promise<void>;
};

/** One long-lived autocannon process on the load core, reused for every run. */
export async function startLoadGenerator(pinning: Pinning): Promise<LoadGenerator> {
  const [command, args] = nodeCommand(pinning, pinning.loadCore, [path.join(BENCH_DIR, 'lib/load-worker.ts')]);
  const child: ChildProcess = spawn(command, args, { cwd: REPO_ROOT, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const exited = once(child, 'exit');
  return {
    run(request) {
      return new Promise((resolve, reject) => {
        child.once('message', (reply: { ok: boolean; result?: LoadResult; error?: string }) =>
          reply.ok && reply.result ? resolve(reply.result) : reject(new Error(reply.error ?? 'load generator failed')),
        );
        child.send(request);
      });
    },
    async stop() {
      if (child.exitCode !== null) return;
      child.disconnect();
      await exited;
    },
  };
}
