// Where a server's logs go: readable lines (pino-pretty) for a developer at a terminal, JSON lines
// for everything else. Production (NODE_ENV=production) and any redirected stdout (a file, a
// container's log driver, a test) always get JSON, one object a line.
import pretty from 'pino-pretty';

export function developmentLogStream(
  env: { NODE_ENV?: string | undefined },
  stdout: { isTTY?: boolean } = process.stdout,
  destination: NodeJS.WritableStream | number = 1,
): { write(line: string): void } | undefined {
  if (env.NODE_ENV === 'production' || !stdout.isTTY) return undefined;
  return pretty({ colorize: true, translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname', sync: true, destination });
}
