// The access log is written asynchronously (packages/lifecycle/src/log-stream.ts): a burst of
// requests followed at once by SIGTERM must still leave one "request completed" line per request
// on stdout, then the shutdown lines, and exit 0. Runs src/server.ts as production runs it
// (stdout a pipe, LOG_LEVEL=info), against the test Postgres.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { createTestDatabase } from '@omnichat/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '@omnichat/testkit';

const repo = path.resolve(import.meta.dirname, '../../..');
const REQUESTS = 400;

let database: Awaited<ReturnType<typeof createTestDatabase>>;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => database?.drop());

describe('access log at LOG_LEVEL=info, asynchronous destination', () => {
  it('loses no line when SIGTERM follows a burst of requests', async () => {
    const port = await freePort();
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(repo, 'apps/mcp/src/server.ts')], {
      cwd: repo,
      env: {
        PATH: process.env['PATH'],
        DATABASE_URL: database.url,
        MCP_HOST: '127.0.0.1',
        MCP_PORT: String(port),
        RESOURCE_URL: `http://127.0.0.1:${port}/mcp`,
        LOG_LEVEL: 'info',
        SHUTDOWN_DRAIN_SECONDS: '0',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = once(child, 'exit');
    try {
      await waitFor(() => stdout.includes('MCP server is up'), 60_000, () => `server did not start:\n${stdout}\n${stderr}`);
      const url = `http://127.0.0.1:${port}/mcp`;
      const statuses = await Promise.all(
        Array.from({ length: REQUESTS }, (_, i) =>
          fetch(url, {
            method: 'POST',
            headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
            body: JSON.stringify({ jsonrpc: '2.0', id: i, method: 'tools/list' }),
          }).then((response) => response.status),
        ),
      );
      expect(new Set(statuses)).toEqual(new Set([401]));
      child.kill('SIGTERM');
      const [code] = await exited;
      expect(code, stderr).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }

    const lines = stdout.trim().split('\n').map((line) => JSON.parse(line) as { msg: string; req?: { url: string }; res?: { statusCode: number } });
    const completed = lines.filter((line) => line.msg === 'request completed' && line.req?.url === '/mcp');
    expect(completed).toHaveLength(REQUESTS);
    expect(completed.every((line) => line.res?.statusCode === 401)).toBe(true);
    expect(lines.at(-1)?.msg).toBe('stopped');
  }, 120_000);
});

async function waitFor(condition: () => boolean, timeoutMs: number, describe: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(describe());
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
