import { redactSecrets, secretValues } from './redact-secrets.js';
import type { ShutdownStep } from './shutdown.js';

type FatalLog = { fatal(object: object, message: string): void };

/** How long the steps may take before a crashing process exits anyway. */
const CRASH_CLEANUP_TIMEOUT_MS = 10_000;

/**
 * What a process does with an uncaught exception or an unhandled rejection: Node's default prints
 * the error (whatever secret its message holds) and exits at once, leaving an embedded Postgres
 * running with its port and data directory taken. Instead: one fatal log line with the error's
 * type, message and stack, every configured secret replaced by `[redacted]`; then the stop steps
 * (database pool, embedded Postgres), at most CRASH_CLEANUP_TIMEOUT_MS; then exit 1. A second
 * crash while cleaning up is logged and changes nothing.
 *
 * Until `useLogger` hands over the app's pino logger (it exists only once the app is built), the
 * line goes to stderr as the same JSON.
 */
export function installCrashHandlers(options: {
  steps: ShutdownStep[];
  env: Record<string, string | undefined>;
  /** Connection URLs made at run time (the embedded Postgres's), whose passwords are redacted too. */
  urls?: readonly string[];
  exit?: (code: number) => void;
  timeoutMs?: number;
}): { useLogger(log: FatalLog): void; crash(kind: CrashKind, error: unknown): Promise<void> } {
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const secrets = secretValues(options.env, options.urls);
  let log: FatalLog = stderrLog;
  let crashing: Promise<void> | undefined;

  async function cleanUp(): Promise<void> {
    const deadline = setTimeout(() => exit(1), options.timeoutMs ?? CRASH_CLEANUP_TIMEOUT_MS);
    deadline.unref();
    for (const step of options.steps) await step.run().catch(() => undefined);
    clearTimeout(deadline);
    exit(1);
  }

  function crash(kind: CrashKind, error: unknown): Promise<void> {
    log.fatal({ crash: kind, err: describe(error, secrets) }, crashing ? `${kind} while stopping after a crash` : `${kind}: stopping`);
    return (crashing ??= cleanUp());
  }

  process.on('uncaughtException', (error) => void crash('uncaught exception', error));
  process.on('unhandledRejection', (reason) => void crash('unhandled rejection', reason));
  return {
    useLogger(next) {
      log = next;
    },
    crash,
  };
}

export type CrashKind = 'uncaught exception' | 'unhandled rejection';

function describe(error: unknown, secrets: readonly string[]): { type: string; message: string; stack?: string } {
  const scrub = (text: string) => redactSecrets(text, secrets);
  if (error instanceof Error) {
    return { type: error.name, message: scrub(error.message), ...(error.stack ? { stack: scrub(error.stack) } : {}) };
  }
  return { type: typeof error, message: scrub(String(error)) };
}

const stderrLog: FatalLog = {
  fatal(object, message) {
    process.stderr.write(`${JSON.stringify({ level: 60, time: Date.now(), pid: process.pid, ...object, msg: message })}\n`);
  },
};
