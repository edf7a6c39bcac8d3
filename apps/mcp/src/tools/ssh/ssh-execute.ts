import { z } from 'zod';
import { SealedSecretError } from '@omnichat/secrets';
import { commandAllowed, commandProblem, openPrivateKey, parseHostKey, type PinnedHostKey } from '@omnichat/ssh-hosts';
import { defineTool, ToolError, type ToolContext } from '../tool-kit.js';
import { ConcurrencyLimiter } from './concurrency-limiter.js';
import { findGrantedHost } from './find-granted-host.js';
import { runRemoteCommand, SshConnectionError, type RemoteRunResult, type SshFailureReason } from './run-remote-command.js';
import { finishSshExecution, recordSshRefusal, startSshExecution, type SshAttempt, type SshOutcome } from './ssh-audit.js';

/** Generous input bounds, so oversized arguments still reach the tool and get audited as refusals. */
const MAX_HOST_ARGUMENT_CHARS = 1000;
const MAX_COMMAND_ARGUMENT_CHARS = 64 * 1024;

/** Per replica: how many commands each user has running. */
const running = new ConcurrencyLimiter();

const output = z.object({
  host: z.string(),
  exitCode: z.number().int().nullable(),
  signal: z.string().nullable(),
  stdout: z.string(),
  stderr: z.string(),
  stdoutTruncated: z.boolean(),
  stderrTruncated: z.boolean(),
  durationMs: z.number().int(),
});

export const sshExecute = defineTool({
  name: 'ssh_execute',
  title: 'Run a command over SSH',
  description:
    'Runs one command on a server an administrator approved for you (ssh_hosts lists them) and returns its exit code, stdout and stderr. ' +
    "The remote account's shell runs the command. Output is capped per stream, and a command that runs too long is killed.",
  input: z
    .object({
      host: z.string().min(1).max(MAX_HOST_ARGUMENT_CHARS).describe('Name of an approved host, exactly as ssh_hosts lists it'),
      command: z.string().min(1).max(MAX_COMMAND_ARGUMENT_CHARS).describe('The command line to run on that host'),
    })
    .strict(),
  output,
  // The command, as its SshExecution row keeps it too; the host is in that row, the output nowhere.
  auditArguments: ['command'],
  async run({ host: hostName, command }, context) {
    const principal = context.principal;
    if (!principal) throw new ToolError('Sign in to use this tool');
    const attempt: SshAttempt = { userId: principal.subject, clientId: principal.clientId, hostName, command };
    const refuse = async (outcome: SshOutcome, message: string, error?: string): Promise<never> => {
      await recordSshRefusal(context.prisma, context.log, attempt, { outcome, error });
      throw new ToolError(message);
    };

    const problem = commandProblem(command);
    if (problem) return refuse('invalid_command', `Refused: ${problem}. Nothing was run.`);

    // One answer for "no such host" and "not yours", so the tool does not reveal other users'
    // host names; the audit row tells them apart.
    const notYours = `"${clip(hostName)}" is not an approved host you may use. Nothing was run; ssh_hosts lists your hosts.`;
    const lookup = await findGrantedHost(context.prisma, principal.subject, hostName);
    if (lookup.kind !== 'granted') return refuse(lookup.kind, notYours);
    const host = lookup.host;

    if (!safeAllowed(command, host.commandAllowList, context)) {
      return refuse('command_not_allowed', `Refused: the command is not on the allow-list an administrator set for host "${host.name}". Nothing was run.`);
    }

    const settings = context.config.ssh;
    const release = running.tryAcquire(principal.subject, settings.maxConcurrentPerUser);
    if (!release) {
      context.metrics?.rateLimited('ssh-concurrency');
      return refuse('busy', `Refused: you already have ${settings.maxConcurrentPerUser} SSH commands running; wait for one to finish.`);
    }
    try {
      let privateKey: string;
      let hostKey: PinnedHostKey;
      try {
        privateKey = openPrivateKey(host.privateKeyEncrypted, context.config.keyRing, host.id);
        hostKey = parseHostKey(host.hostKey);
      } catch (error) {
        context.log.error({ err: error instanceof SealedSecretError ? error.message : error, host: host.name }, 'ssh host credentials unusable');
        return await refuse('key_unavailable', `Host "${host.name}" cannot be used: its stored credentials do not open on this server. Ask an administrator.`);
      }

      const executionId = await startSshExecution(context.prisma, attempt);
      let result: RemoteRunResult;
      try {
        result = await runRemoteCommand(
          { address: host.address, port: host.port, username: host.username, privateKey, hostKey },
          command,
          { ...settings, signal: context.signal },
        );
      } catch (error) {
        if (!(error instanceof SshConnectionError)) throw error;
        await finishSshExecution(context.prisma, context.log, executionId, attempt, { outcome: error.reason, error: error.message });
        throw new ToolError(failureMessage(error.reason, host.name, settings.connectTimeoutMs));
      }

      const truncated = result.stdout.truncated || result.stderr.truncated;
      const outcome: SshOutcome = result.stoppedBy ?? 'ok';
      await finishSshExecution(context.prisma, context.log, executionId, attempt, {
        outcome,
        exitCode: result.exitCode,
        signal: result.exitSignal,
        durationMs: result.durationMs,
        bytesOut: result.stdout.received + result.stderr.received,
        truncated,
      });
      if (result.stoppedBy === 'timeout') {
        throw new ToolError(`The command ran longer than ${seconds(settings.runTimeoutMs)} on host "${host.name}" and was killed.`);
      }
      if (result.stoppedBy === 'cancelled') throw new ToolError('The call was cancelled; the remote command was killed.');

      const structured = {
        host: host.name,
        exitCode: result.exitCode,
        signal: result.exitSignal,
        stdout: result.stdout.text(),
        stderr: result.stderr.text(),
        stdoutTruncated: result.stdout.truncated,
        stderrTruncated: result.stderr.truncated,
        durationMs: result.durationMs,
      };
      return { text: describeRun(structured, result.stoppedBy === 'output_cap', settings.outputCapBytes), structured };
    } finally {
      release();
    }
  },
});

function safeAllowed(command: string, patterns: readonly string[], context: ToolContext): boolean {
  try {
    return commandAllowed(command, patterns);
  } catch (error) {
    // A pattern that no longer compiles allows nothing (fail closed); the admin CLI validates on write.
    context.log.error({ err: error }, 'ssh host allow-list does not compile');
    return false;
  }
}

function failureMessage(reason: SshFailureReason, hostName: string, connectTimeoutMs: number): string {
  switch (reason) {
    case 'host_key_mismatch':
      return `Refused: host "${hostName}" presented a host key other than the one an administrator pinned, so nothing was sent. If the server was rebuilt, an administrator must re-approve its key.`;
    case 'auth_failed':
      return `Host "${hostName}" refused the login for its configured account and key. Nothing was run; ask an administrator to check the host's key.`;
    case 'connect_timeout':
      return `Host "${hostName}" did not complete an SSH login within ${seconds(connectTimeoutMs)}. Nothing was run.`;
    case 'connect_failed':
      return `Could not connect to host "${hostName}". Nothing was run.`;
    case 'exec_failed':
      return `Host "${hostName}" refused to start the command.`;
    case 'connection_lost':
      return `The connection to host "${hostName}" dropped while the command ran; its outcome is unknown.`;
    case 'cancelled':
      return 'The call was cancelled.';
  }
}

function describeRun(run: z.output<typeof output>, stoppedForOutput: boolean, capBytes: number): string {
  const status = stoppedForOutput
    ? `stopped after more than ${capBytes} bytes of output`
    : run.exitCode !== null
      ? `exit code ${run.exitCode}`
      : `ended by signal ${run.signal ?? 'unknown'}`;
  return [`${run.host}: ${status} (${run.durationMs} ms)`, '--- stdout ---', run.stdout, '--- stderr ---', run.stderr].join('\n');
}

function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

function clip(value: string): string {
  return value.length > 80 ? `${value.slice(0, 80)}…` : value;
}
