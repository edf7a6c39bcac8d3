// A Postgres of the test's own, for database-fault tests (REL-2): an embedded cluster in a temp
// directory that the test can stop at once, start again on the same port, or freeze.
import { chmod, mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { embeddedDataDir, rootClusterHome, startEmbeddedPostgres, type RunningPostgres } from './embedded-postgres.js';
import { migrate } from './migrate.js';

const STOP_WAIT_MS = 10_000;

export interface OutagePostgres {
  /** Stays valid across stopNow/restart: same port, same password. */
  readonly url: string;
  /**
   * "Fast shutdown" (SIGINT to the postmaster): every session is cut at once, as in an outage,
   * without the embedded helper's grace period for other sessions.
   */
  stopNow(): Promise<void>;
  restart(): Promise<void>;
  /**
   * SIGSTOP to the postmaster and every backend: the port still completes TCP handshakes (the
   * kernel does that) but nothing answers, as with a hung host or a cut network path.
   */
  freeze(): Promise<void>;
  thaw(): Promise<void>;
  close(): Promise<void>;
}

/** Starts a migrated embedded Postgres holding `database`, for one test file. */
export async function startOutagePostgres(database: string): Promise<OutagePostgres> {
  const dir = await mkdtemp(path.join(tmpdir(), `${database}-`));
  // As root the server runs as `postgres`, which must be able to enter the directory.
  await chmod(dir, 0o755);
  const port = await freePort();
  const start = () => startEmbeddedPostgres({ dir, port, database });
  let running: RunningPostgres = await start();
  await migrate(running.url);

  const postmasterPid = async () => Number((await readFile(path.join(embeddedDataDir(dir), 'postmaster.pid'), 'utf8')).split('\n')[0]);
  const clusterPids = async (): Promise<number[]> => {
    const postmaster = await postmasterPid();
    const children: number[] = [];
    for (const entry of await readdir('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === postmaster) children.push(Number(entry));
    }
    return [postmaster, ...children];
  };
  const signalAll = (pids: number[], signal: NodeJS.Signals) => {
    for (const pid of pids) {
      try {
        process.kill(pid, signal);
      } catch {
        // A backend that exited meanwhile.
      }
    }
  };

  return {
    url: running.url,
    async stopNow() {
      const pid = await postmasterPid();
      process.kill(pid, 'SIGINT');
      const deadline = Date.now() + STOP_WAIT_MS;
      while (Date.now() < deadline) {
        try {
          process.kill(pid, 0);
        } catch {
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      throw new Error('Postgres did not stop');
    },
    async restart() {
      running = await start();
    },
    async freeze() {
      signalAll(await clusterPids(), 'SIGSTOP');
    },
    async thaw() {
      // Backends first, so none is resumed under a still-stopped postmaster.
      signalAll((await clusterPids()).reverse(), 'SIGCONT');
    },
    async close() {
      await running.stop();
      await rm(dir, { recursive: true, force: true });
      await rm(rootClusterHome(dir), { recursive: true, force: true });
    },
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
