import { performance } from 'node:perf_hooks';
import { CappedOutput } from './capped-output.js';
import { hostKeyAlgorithmsFor, type PinnedHostKey } from '@omnichat/ssh-hosts';
import { SshClient, type ClientChannel } from './ssh-library.js';

/** Where and as whom to run: everything comes from the approved host row, nothing from the caller. */
export type SshTarget = {
  address: string;
  port: number;
  username: string;
  privateKey: string;
  hostKey: PinnedHostKey;
};

export type RunLimits = {
  connectTimeoutMs: number;
  runTimeoutMs: number;
  outputCapBytes: number;
  /** Aborting stops the remote command like a timeout does. */
  signal?: AbortSignal | undefined;
};

export type StopReason = 'timeout' | 'output_cap' | 'cancelled';

export type RemoteRunResult = {
  /** Null when the command was stopped or ended by a signal. */
  exitCode: number | null;
  exitSignal: string | null;
  stdout: CappedOutput;
  stderr: CappedOutput;
  durationMs: number;
  /** Why we ended the command early, if we did. */
  stoppedBy: StopReason | null;
};

export type SshFailureReason = 'host_key_mismatch' | 'auth_failed' | 'connect_timeout' | 'connect_failed' | 'connection_lost' | 'exec_failed' | 'cancelled';

/** The command never ran to an answer: the connection, the host key or the login failed. */
export class SshConnectionError extends Error {
  override readonly name = 'SshConnectionError';
  constructor(readonly reason: SshFailureReason, message: string) {
    super(message);
  }
}

/** After asking the server to kill and close the channel, how long we wait for it before dropping the connection. */
const STOP_GRACE_MS = 2000;

/**
 * Runs one command over SSH with the ssh2 library: no local shell and no `ssh` binary, so nothing
 * in `command` is ever interpreted on this machine (docs/security.md RS-29); the remote account's
 * shell interprets it there (RFC 4254 §6.5 "exec"). The server must present exactly the pinned
 * host key (strict checking, no trust on first use) before we authenticate with the host's key.
 */
export function runRemoteCommand(target: SshTarget, command: string, limits: RunLimits): Promise<RemoteRunResult> {
  return new Promise<RemoteRunResult>((resolve, reject) => {
    const client = new SshClient();
    const started = performance.now();
    const stdout = new CappedOutput(limits.outputCapBytes);
    const stderr = new CappedOutput(limits.outputCapBytes);
    let channel: ClientChannel | undefined;
    let hostKeyRejected = false;
    let settled = false;
    let stoppedBy: StopReason | null = null;
    let exitCode: number | null = null;
    let exitSignal: string | null = null;
    const timers: NodeJS.Timeout[] = [];

    const settle = (outcome: () => void): void => {
      if (settled) return;
      settled = true;
      for (const timer of timers) clearTimeout(timer);
      limits.signal?.removeEventListener('abort', onAbort);
      client.end();
      // A server that ignores our close would keep the socket; end() is polite, destroy() is final.
      setImmediate(() => client.destroy());
      outcome();
    };
    const result = (): RemoteRunResult => ({
      exitCode: stoppedBy ? null : exitCode,
      exitSignal: stoppedBy ? null : exitSignal,
      stdout,
      stderr,
      durationMs: Math.round(performance.now() - started),
      stoppedBy,
    });
    const fail = (reason: SshFailureReason, message: string): void => settle(() => reject(new SshConnectionError(reason, message)));

    // RFC 4254 §6.9 asks the server to signal the process; OpenSSH before 7.9 ignores that, but
    // closing the channel (§5.3) makes sshd hang up the session, which ends the command too.
    const stop = (why: StopReason): void => {
      if (stoppedBy !== null || channel === undefined) return;
      stoppedBy = why;
      try {
        channel.signal('KILL');
      } catch {
        // The channel may already be closing; close() below still applies.
      }
      channel.close();
      timers.push(setTimeout(() => settle(() => resolve(result())), STOP_GRACE_MS));
    };

    function onAbort(): void {
      if (channel) stop('cancelled');
      else fail('cancelled', 'the call was cancelled');
    }
    if (limits.signal?.aborted) {
      reject(new SshConnectionError('cancelled', 'the call was cancelled'));
      return;
    }
    limits.signal?.addEventListener('abort', onAbort, { once: true });

    client.on('ready', () => {
      client.exec(command, (error, opened) => {
        if (error) {
          fail('exec_failed', `the server refused to run the command: ${error.message}`);
          return;
        }
        channel = opened;
        timers.push(setTimeout(() => stop('timeout'), limits.runTimeoutMs));
        opened.on('data', (chunk: Buffer) => {
          if (stdout.push(chunk)) stop('output_cap');
        });
        opened.stderr.on('data', (chunk: Buffer) => {
          if (stderr.push(chunk)) stop('output_cap');
        });
        opened.on('exit', (code: number | null, signalName?: string) => {
          exitCode = typeof code === 'number' ? code : null;
          exitSignal = signalName ?? null;
        });
        opened.on('close', () => settle(() => resolve(result())));
      });
    });
    client.on('error', (error: Error & { level?: string }) => {
      if (hostKeyRejected) return fail('host_key_mismatch', 'the server presented a host key other than the pinned one');
      if (error.level === 'client-authentication') return fail('auth_failed', 'the server refused the host key pair for this user');
      if (error.level === 'client-timeout') return fail('connect_timeout', `no SSH session within ${limits.connectTimeoutMs} ms`);
      if (channel) return fail('connection_lost', 'the connection dropped while the command ran');
      return fail('connect_failed', `could not connect: ${(error as NodeJS.ErrnoException).code ?? error.message}`);
    });
    client.on('close', () => {
      if (channel) settle(() => resolve(result()));
      else fail('connect_failed', 'the server closed the connection');
    });

    client.connect({
      host: target.address,
      port: target.port,
      username: target.username,
      privateKey: target.privateKey,
      readyTimeout: limits.connectTimeoutMs,
      hostVerifier: (key: Buffer) => {
        const pinned = key.equals(target.hostKey.blob);
        if (!pinned) hostKeyRejected = true;
        return pinned;
      },
      algorithms: { serverHostKey: hostKeyAlgorithmsFor(target.hostKey.type) },
      tryKeyboard: false,
    });
  });
}
