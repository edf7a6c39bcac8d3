// Where a server's logs go: readable lines (pino-pretty) for a developer at a terminal, JSON lines
// for everything else. Production (NODE_ENV=production) and any redirected stdout (a file, a
// container's log driver, a test) always get JSON, one object a line.
import { pino } from 'pino';
import pretty from 'pino-pretty';

export type LogDestination = { write(line: string): void; flushSync?(): void };

export function developmentLogStream(
  env: { NODE_ENV?: string | undefined },
  stdout: { isTTY?: boolean } = process.stdout,
  destination: NodeJS.WritableStream | number = 1,
): { write(line: string): void } | undefined {
  if (env.NODE_ENV === 'production' || !stdout.isTTY) return undefined;
  return pretty({ colorize: true, translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname', sync: true, destination });
}

/**
 * A server's log destination: the development stream above at a terminal, otherwise stdout
 * through pino's asynchronous destination (SonicBoom). Synchronous writes to a pipe cost the MCP
 * hot path a third of its throughput at LOG_LEVEL=info (one access line a request); here lines
 * written while a write is pending go out together in the next one. Nothing is lost on the way
 * out: pino flushes it synchronously on process exit (SIGTERM's exit(0), a crash's exit),
 * and `flushSync` is there for an explicit flush.
 */
export function serverLogDestination(
  env: { NODE_ENV?: string | undefined },
  stdout: { isTTY?: boolean } = process.stdout,
): LogDestination {
  return developmentLogStream(env, stdout) ?? pino.destination({ dest: 1, sync: false });
}
