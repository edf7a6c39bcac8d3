// Where a server's logs go: readable lines (pino-pretty) for a developer at a terminal, JSON lines
// for everything else. Production (NODE_ENV=production) and any redirected stdout (a file, a
// container's log driver, a test) always get JSON, one object a line.
import { pino } from 'pino';
import pretty from 'pino-pretty';

export type LogDestination = { write(line: string): void };

export function developmentLogStream(
  env: { NODE_ENV?: string | undefined },
  stdout: { isTTY?: boolean } = process.stdout,
  destination: NodeJS.WritableStream | number = 1,
): { write(line: string): void } | undefined {
  if (env.NODE_ENV === 'production' || !stdout.isTTY) return undefined;
  return pretty({ colorize: true, translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname', sync: true, destination });
}

/** How long the way out waits for pending log lines before exiting anyway. */
const DRAIN_TIMEOUT_MS = 5_000;

export type ServerLogDestination = {
  stream: LogDestination;
  /** Resolves once every line written so far is out (at most DRAIN_TIMEOUT_MS); the stream is closed after it. */
  drain(): Promise<void>;
  /** process.exit(code) after drain(): what the shutdown and crash handlers call. */
  exit(code: number): void;
};

/**
 * A server's log destination: the development stream above at a terminal, otherwise stdout
 * through pino's asynchronous destination (SonicBoom). Synchronous writes to a pipe cost the MCP
 * hot path a third of its throughput at LOG_LEVEL=info (one access line a request); here lines
 * written while a write is pending go out together in the next one.
 *
 * pino's own exit hook (flushSync) is not enough: it writes the queued lines but not the batch an
 * asynchronous write still has in flight, which process.exit then drops, so a SIGTERM right after
 * a burst lost a few access lines from the middle of the log. `exit` ends the stream first, which
 * waits for the write in flight, writes the rest, and leaves fd 1 open.
 */
export function serverLogDestination(
  env: { NODE_ENV?: string | undefined },
  stdout: { isTTY?: boolean } = process.stdout,
  exitProcess: (code: number) => void = (code) => process.exit(code),
): ServerLogDestination {
  const development = developmentLogStream(env, stdout);
  let drained: Promise<void> | undefined;
  const boom = development ? undefined : pino.destination({ dest: 1, sync: false });
  const drain = (): Promise<void> =>
    (drained ??= boom
      ? new Promise<void>((resolve) => {
          setTimeout(resolve, DRAIN_TIMEOUT_MS).unref();
          boom.once('close', () => resolve());
          boom.end();
        })
      : Promise.resolve());
  return {
    stream: development ?? boom!,
    drain,
    exit: (code) => void drain().finally(() => exitProcess(code)),
  };
}
