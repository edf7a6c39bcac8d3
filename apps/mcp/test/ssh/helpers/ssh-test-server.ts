// A real SSH server on loopback (ssh2's Server) standing in for an approved remote host. Its exec
// handler runs the command with `sh -c` on this machine: that is the fake REMOTE side, which is
// exactly where a shell is supposed to interpret the command.
import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter, once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import ssh2 from 'ssh2';

const { Server, utils } = ssh2;

export type KeyPair = { private: string; public: string };

export function generateEd25519(): KeyPair {
  const pair = utils.generateKeyPairSync('ed25519');
  return { private: pair.private, public: pair.public.trim() };
}

/** A command the fake host ran, and how its process ended. */
export type RemoteProcess = {
  command: string;
  pid: number;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
};

export type TestSshServer = {
  port: number;
  hostKey: KeyPair;
  username: string;
  /** Every exec the server received, in order. */
  processes: RemoteProcess[];
  /** Authentication attempts that were refused. */
  refusedLogins: number;
  /** Resolves once the server has received `count` execs in all. */
  execCount(count: number): Promise<void>;
  close(): Promise<void>;
};

export type TestSshServerOptions = {
  username: string;
  /** The public key line the server accepts for `username`. */
  authorizedKey: string;
  hostKey?: KeyPair;
};

export async function startTestSshServer(options: TestSshServerOptions): Promise<TestSshServer> {
  const hostKey = options.hostKey ?? generateEd25519();
  const allowed = utils.parseKey(options.authorizedKey);
  if (allowed instanceof Error || Array.isArray(allowed)) throw new TypeError('authorizedKey does not parse');
  const processes: RemoteProcess[] = [];
  const live = new Set<ChildProcess>();
  const state = { refusedLogins: 0 };
  const events = new EventEmitter();

  const server = new Server({ hostKeys: [hostKey.private] }, (client) => {
    client.on('error', () => {});
    client.on('authentication', (ctx) => {
      const keyOk =
        ctx.method === 'publickey' &&
        ctx.username === options.username &&
        ctx.key.algo === allowed.type &&
        ctx.key.data.length === allowed.getPublicSSH().length &&
        timingSafeEqual(ctx.key.data, allowed.getPublicSSH()) &&
        (!ctx.signature || (ctx.blob !== undefined && allowed.verify(ctx.blob, ctx.signature, ctx.hashAlgo) === true));
      if (keyOk) return ctx.accept();
      if (ctx.method === 'publickey') state.refusedLogins += 1;
      return ctx.reject(['publickey']);
    });
    client.on('ready', () => {
      client.on('session', (acceptSession) => {
        const session = acceptSession();
        let child: ChildProcess | undefined;
        const kill = () => {
          // The whole process group, as sshd's hang-up reaches the session's children.
          if (child?.pid !== undefined && child.exitCode === null && child.signalCode === null) {
            try {
              process.kill(-child.pid, 'SIGKILL');
            } catch {
              // Already gone.
            }
          }
        };
        session.on('signal', (accept, _reject, info) => {
          accept?.();
          if (info.name === 'KILL' || info.name === 'TERM') kill();
        });
        session.on('exec', (accept, _reject, info) => {
          const stream = accept();
          child = spawn('sh', ['-c', info.command], { detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
          live.add(child);
          const spawned = child;
          // The process ending ('exit') is what tests wait for; its stdio closing ('close') is when
          // all its output has been forwarded and the channel can report the exit status.
          const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
            spawned.on('exit', (code, signal) => resolve({ code, signal }));
          });
          const closed = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
            spawned.on('close', (code, signal) => {
              live.delete(spawned);
              resolve({ code, signal });
            });
          });
          processes.push({ command: info.command, pid: spawned.pid ?? -1, exited });
          events.emit('exec');
          spawned.stdout?.pipe(stream, { end: false });
          spawned.stderr?.pipe(stream.stderr, { end: false });
          spawned.stdout?.on('error', () => {});
          stream.on('error', () => {});
          stream.stderr.on('error', () => {});
          stream.on('close', () => {
            kill();
            // The channel is gone, so pipe() has unpiped and paused the child's stdio with data still
            // buffered: drain it, or the pipes never end and 'close' (hence `exited`) never fires.
            spawned.stdout?.resume();
            spawned.stderr?.resume();
          });
          void closed.then(({ code, signal }) => {
            if (stream.destroyed) return;
            if (signal) stream.exit(signal.replace(/^SIG/, ''), false, '');
            else stream.exit(code ?? 0);
            stream.end();
          });
        });
      });
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    hostKey,
    username: options.username,
    processes,
    get refusedLogins() {
      return state.refusedLogins;
    },
    async execCount(count) {
      while (processes.length < count) await once(events, 'exec');
    },
    async close() {
      for (const child of live) {
        if (child.pid !== undefined) {
          try {
            process.kill(-child.pid, 'SIGKILL');
          } catch {
            // Already gone.
          }
        }
      }
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** True while a process with this id exists on this machine. */
export function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
