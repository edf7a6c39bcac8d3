import { constants } from 'node:os';

import type { Readiness } from './readiness.js';

export type ShutdownSettings = {
  /** How long /readyz fails before the listener closes, so load balancers stop sending (ms). */
  drainDelayMs: number;
  /** After this, give up waiting for in-flight requests and exit non-zero (ms). */
  timeoutMs: number;
};

export type ShutdownStep = { name: string; run: () => Promise<unknown> };

type Log = { info(object: object, message: string): void; error(object: object, message: string): void; warn?(object: object, message: string): void };

/**
 * The order of a graceful stop: readiness fails at once; after the drain delay the HTTP server
 * stops accepting and waits for in-flight requests (Fastify's close); then each step in order
 * (database pool, embedded Postgres). A stop that overruns the timeout exits 1 so an orchestrator
 * is not left waiting. A second signal (the second Ctrl-C of someone who will not wait for the
 * drain) forces the exit at once: `force` runs (synchronous: ask the embedded Postgres to stop,
 * without waiting) and the process exits 128 + the signal's number.
 */
export function installShutdown(options: {
  readiness: Readiness;
  settings: ShutdownSettings;
  closeHttp: () => Promise<unknown>;
  steps: ShutdownStep[];
  /** Run on a second signal just before the forced exit; must not wait for anything. */
  force?: () => void;
  log: Log;
  exit?: (code: number) => void;
  signals?: NodeJS.Signals[];
}): { stop(signal: string): Promise<void> } {
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let stopping: Promise<void> | undefined;

  async function run(signal: string): Promise<void> {
    options.log.info({ signal, drainDelayMs: options.settings.drainDelayMs }, 'shutting down: readiness now fails');
    options.readiness.drain();
    const deadline = setTimeout(() => {
      options.log.error({ timeoutMs: options.settings.timeoutMs }, 'shutdown timed out; exiting');
      exit(1);
    }, options.settings.timeoutMs);
    deadline.unref();
    await new Promise((resolve) => setTimeout(resolve, options.settings.drainDelayMs));
    await options.closeHttp();
    options.log.info({}, 'in-flight requests drained');
    for (const step of options.steps) {
      try {
        await step.run();
      } catch (error) {
        options.log.error({ err: error, step: step.name }, 'shutdown step failed');
      }
    }
    clearTimeout(deadline);
    options.log.info({}, 'stopped');
    exit(0);
  }

  const stop = (signal: string): Promise<void> => {
    if (!stopping) return (stopping = run(signal));
    (options.log.warn ?? options.log.error).call(options.log, { signal }, 'second signal: exiting now without draining');
    try {
      options.force?.();
    } finally {
      exit(128 + (constants.signals[signal as NodeJS.Signals] ?? 0));
    }
    return stopping;
  };
  for (const signal of options.signals ?? ['SIGTERM', 'SIGINT']) process.on(signal, () => void stop(signal));
  return { stop };
}

/**
 * Loads the typed configuration or exits 1 with its problems, one per line, and no stack trace:
 * a bad setting is an operator's typo, not a crash.
 */
export function loadConfigOrExit<T>(load: (env: Record<string, string | undefined>) => T, env: Record<string, string | undefined>): T {
  try {
    return load(env);
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
}

/**
 * Start-up after the database is up (migrations, keys, listening): on failure, prints why and
 * stops what already runs before exiting 1. An embedded Postgres would otherwise outlive the
 * process, holding its port and data directory for the next start.
 */
export async function startOrExit<T>(start: () => Promise<T>, stopOnFailure: ShutdownStep[]): Promise<T> {
  try {
    return await start();
  } catch (error) {
    process.stderr.write(`start-up failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    for (const step of stopOnFailure) await step.run().catch(() => undefined);
    process.exit(1);
  }
}
