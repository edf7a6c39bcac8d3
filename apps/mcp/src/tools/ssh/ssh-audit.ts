import type { PrismaClient } from '@omnichat/db';
import { MAX_COMMAND_CHARS } from '@omnichat/ssh-hosts';

/** Who tried what, as the caller gave it (capped: the audit must not become the attack's amplifier). */
export type SshAttempt = { userId: string; clientId: string; hostName: string; command: string };

/**
 * `ok`: the command ran to its exit, whatever the exit code. Everything else is a refusal before
 * anything ran, or a run that did not end normally.
 */
export type SshOutcome =
  | 'ok'
  | 'running'
  | 'invalid_command'
  | 'host_not_approved'
  | 'not_granted'
  | 'command_not_allowed'
  | 'busy'
  | 'key_unavailable'
  | 'host_key_mismatch'
  | 'auth_failed'
  | 'connect_timeout'
  | 'connect_failed'
  | 'connection_lost'
  | 'exec_failed'
  | 'timeout'
  | 'output_cap'
  | 'cancelled';

export type SshRunRecord = {
  outcome: SshOutcome;
  error?: string | undefined;
  exitCode?: number | null;
  signal?: string | null;
  durationMs?: number;
  bytesOut?: number;
  truncated?: boolean;
};

/** Audit log lines share the auth app's shape (`audit: true`, `event`); never output, never keys. */
export type SshAuditLogger = { info(object: object, message: string): void };

const MAX_HOST_NAME_CHARS = 255;

export function capAttempt(attempt: SshAttempt): SshAttempt {
  return {
    ...attempt,
    hostName: cap(attempt.hostName, MAX_HOST_NAME_CHARS),
    command: cap(attempt.command, MAX_COMMAND_CHARS),
  };
}

/** A refusal: one row, one log line. */
export async function recordSshRefusal(prisma: PrismaClient, log: SshAuditLogger, attempt: SshAttempt, record: SshRunRecord): Promise<void> {
  const row = capAttempt(attempt);
  await prisma.sshExecution.create({ data: { ...row, ...rowFields(record) } });
  logAudit(log, row, record);
}

/**
 * Written BEFORE the command is sent, so a run is on record even if this process dies during it;
 * `finishSshExecution` fills in how it ended. No row, no run.
 */
export async function startSshExecution(prisma: PrismaClient, attempt: SshAttempt): Promise<string> {
  const row = await prisma.sshExecution.create({ data: { ...capAttempt(attempt), outcome: 'running' }, select: { id: true } });
  return row.id;
}

export async function finishSshExecution(
  prisma: PrismaClient,
  log: SshAuditLogger,
  id: string,
  attempt: SshAttempt,
  record: SshRunRecord,
): Promise<void> {
  logAudit(log, capAttempt(attempt), record);
  await prisma.sshExecution.update({ where: { id }, data: rowFields(record) });
}

function rowFields(record: SshRunRecord) {
  return {
    outcome: record.outcome,
    error: record.error ?? null,
    exitCode: record.exitCode ?? null,
    signal: record.signal ?? null,
    durationMs: record.durationMs ?? 0,
    bytesOut: record.bytesOut ?? 0,
    truncated: record.truncated ?? false,
  };
}

function logAudit(log: SshAuditLogger, attempt: SshAttempt, record: SshRunRecord): void {
  log.info(
    {
      audit: true,
      event: 'ssh.execute',
      accountId: attempt.userId,
      clientId: attempt.clientId,
      host: attempt.hostName,
      command: attempt.command,
      outcome: record.outcome,
      ...(record.error ? { error: record.error } : {}),
      exitCode: record.exitCode ?? null,
      durationMs: record.durationMs ?? 0,
      bytesOut: record.bytesOut ?? 0,
      truncated: record.truncated ?? false,
    },
    'audit ssh.execute',
  );
}

// Postgres text cannot hold NUL; the audit shows it as the visible escape the caller would recognise.
function cap(value: string, maxChars: number): string {
  const visible = value.replaceAll('\0', '\\u0000');
  return visible.length > maxChars ? `${visible.slice(0, maxChars)}…[${visible.length - maxChars} more chars]` : visible;
}
