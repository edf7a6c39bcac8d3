// Crashes and signals with real processes: the auth and MCP servers and `pnpm start` as they run
// in production and on a laptop, each on its own embedded Postgres; the postmaster must be gone
// after every way out.
import { createRequire } from 'node:module';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '@omnichat/testkit';

import { embeddedDataDir, rootClusterHome } from '@omnichat/db/testing';
import { startService, waitReady, type ServiceProcess } from './helpers/service-process.js';

const require = createRequire(import.meta.url);
const TSX = require.resolve('tsx');
const CRASH_FIXTURE = path.join(import.meta.dirname, 'fixtures/crash-on-signal.ts');
const SECRET = 'process-signals-key-encryption-secret-0123456789';

const pgDir = mkdtempSync(path.join(tmpdir(), 'omnichat-signals-'));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The pid in the cluster's postmaster.pid, or undefined when Postgres is not running. */
function postmasterPid(): number | undefined {
  const file = path.join(embeddedDataDir(pgDir), 'postmaster.pid');
  if (!existsSync(file)) return undefined;
  const pid = Number(readFileSync(file, 'utf8').split('\n')[0]);
  return Number.isInteger(pid) && alive(pid) ? pid : undefined;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function goneWithin(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (alive(pid)) {
    if (Date.now() > deadline) return false;
    await sleep(50);
  }
  return true;
}

const baseEnv = { KEY_ENCRYPTION_SECRET: SECRET, EMBEDDED_PG_DIR: pgDir, LOG_LEVEL: 'info', SHUTDOWN_DRAIN_SECONDS: '1' };

async function startAuth(extra: Record<string, string> = {}, preload: string[] = []): Promise<{ service: ServiceProcess; origin: string }> {
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const service = startService(['node', '--import', TSX, ...preload.flatMap((file) => ['--import', file]), 'apps/auth/src/server.ts'], {
    ...baseEnv,
    ISSUER: origin,
    AUTH_HOST: '127.0.0.1',
    AUTH_PORT: String(port),
    ...extra,
  });
  await waitReady(`${origin}/readyz`, service, 90_000);
  return { service, origin };
}

afterAll(async () => {
  const pid = postmasterPid();
  if (pid) process.kill(pid, 'SIGINT');
  if (pid) await goneWithin(pid, 10_000);
  await rm(pgDir, { recursive: true, force: true });
  if (process.getuid?.() === 0) await rm(rootClusterHome(pgDir), { recursive: true, force: true });
});

describe('crashes', () => {
  beforeAll(async () => {
    // The first start initialises the cluster (initdb); later ones reuse it.
    const { service } = await startAuth();
    service.child.kill('SIGTERM');
    expect(await service.exited).toBe(0);
    expect(postmasterPid()).toBeUndefined();
  }, 120_000);

  it.each([
    ['SIGUSR2', 'uncaught exception', 'boom'],
    ['SIGHUP', 'unhandled rejection', 'rejected'],
  ] as const)('auth server, %s → %s: logged without secrets, embedded Postgres stopped, exit 1', async (signal, kind, message) => {
    const { service } = await startAuth({}, [CRASH_FIXTURE]);
    const pid = postmasterPid();
    expect(pid).toBeDefined();
    service.child.kill(signal);
    expect(await service.exited).toBe(1);
    expect(await goneWithin(pid ?? 0, 10_000)).toBe(true);
    const fatal = service.output().split('\n').filter((line) => line.includes('"level":60')).map((line) => JSON.parse(line) as { msg: string; err: { message: string; stack: string } });
    expect(fatal).toHaveLength(1);
    expect(fatal[0]?.msg).toBe(`${kind}: stopping`);
    expect(fatal[0]?.err.message).toMatch(new RegExp(`^${message}, with \\[redacted\\]`));
    expect(service.output()).not.toContain(SECRET);
    // The embedded Postgres's generated password never shows either (it is in the connection URL).
    const password = readFileSync(path.join(pgDir, 'password'), 'utf8').trim();
    expect(service.output()).not.toContain(password);
  }, 120_000);

  it('MCP server, SIGUSR2 → uncaught exception: the same', async () => {
    const port = await freePort();
    const service = startService(['node', '--import', TSX, '--import', CRASH_FIXTURE, 'apps/mcp/src/server.ts'], {
      ...baseEnv,
      ISSUER: 'http://127.0.0.1:9',
      RESOURCE_URL: `http://127.0.0.1:${port}/mcp`,
      MCP_HOST: '127.0.0.1',
      MCP_PORT: String(port),
    });
    // Its /readyz waits for the auth app's JWKS, which is not running here: /healthz says it serves.
    await waitReady(`http://127.0.0.1:${port}/healthz`, service, 90_000);
    const pid = postmasterPid();
    expect(pid).toBeDefined();
    service.child.kill('SIGUSR2');
    expect(await service.exited).toBe(1);
    expect(await goneWithin(pid ?? 0, 10_000)).toBe(true);
    expect(service.output()).toContain('"msg":"uncaught exception: stopping"');
    expect(service.output()).not.toContain(SECRET);
  }, 120_000);
});

describe('pnpm start (scripts/start.ts)', () => {
  async function startStack(drainSeconds: string) {
    const [authPort, mcpPort] = [await freePort(), await freePort()];
    const origins = { auth: `http://127.0.0.1:${authPort}`, mcp: `http://127.0.0.1:${mcpPort}` };
    const service = startService(['node', '--import', TSX, 'scripts/start.ts'], {
      ...baseEnv,
      SHUTDOWN_DRAIN_SECONDS: drainSeconds,
      ISSUER: origins.auth,
      AUTH_HOST: '127.0.0.1',
      AUTH_PORT: String(authPort),
      RESOURCE_URL: `${origins.mcp}/mcp`,
      MCP_HOST: '127.0.0.1',
      MCP_PORT: String(mcpPort),
    });
    await waitReady(`${origins.auth}/readyz`, service, 90_000);
    await waitReady(`${origins.mcp}/readyz`, service, 30_000);
    return { service, origins };
  }

  it('Ctrl-C drains both apps as the servers do (both /readyz fail, requests still served), then stops Postgres and exits 0', async () => {
    const { service, origins } = await startStack('2');
    const pid = postmasterPid();
    expect(pid).toBeDefined();
    service.child.kill('SIGINT');
    await sleep(300);
    const during = await Promise.all([fetch(`${origins.auth}/readyz`), fetch(`${origins.mcp}/readyz`), fetch(`${origins.auth}/healthz`)]);
    expect(during.map((response) => response.status)).toEqual([503, 503, 200]);
    expect(during[2]?.headers.get('connection')).toBe('close');
    expect(await service.exited).toBe(0);
    expect(await goneWithin(pid ?? 0, 10_000)).toBe(true);
    expect(service.output()).toContain('"msg":"stopped"');
  }, 120_000);

  it('a second Ctrl-C exits at once (130), and the embedded Postgres still stops', async () => {
    const { service, origins } = await startStack('60');
    const pid = postmasterPid();
    expect(pid).toBeDefined();
    service.child.kill('SIGINT');
    await sleep(300);
    expect((await fetch(`${origins.auth}/readyz`)).status).toBe(503);
    const secondAt = Date.now();
    service.child.kill('SIGINT');
    expect(await service.exited).toBe(130);
    expect(Date.now() - secondAt).toBeLessThan(3_000);
    expect(await goneWithin(pid ?? 0, 10_000)).toBe(true);
    expect(service.output()).toContain('second signal: exiting now without draining');
  }, 120_000);
});
