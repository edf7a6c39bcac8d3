// A real Prometheus (Debian's `prometheus` package) scrapes both apps, each started as its real
// server process (apps/*/src/server.ts) on its own metrics port, with the example alert rules of
// docs/operations.md loaded; the series are read back through Prometheus's HTTP API.
// Skipped, with a message, where the binary is absent; under CI=true its absence is a failure
// (.ci/run installs it).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { createTestDatabase, type TestDatabase } from '@omnichat/db/testing';
import { REPO_ROOT, freePort } from '@omnichat/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const PROMETHEUS = process.env.PROMETHEUS_BIN ?? findOnPath('prometheus');
const IN_CI = process.env.CI === 'true';

function findOnPath(name: string): string | undefined {
  const found = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  return found.status === 0 ? found.stdout.trim() || undefined : undefined;
}

/** The alert rules block of docs/operations.md's Monitoring section, exactly as documented. */
function documentedAlertRules(): string {
  const docs = readFileSync(path.join(REPO_ROOT, 'docs/operations.md'), 'utf8');
  const section = docs.slice(docs.indexOf('## Monitoring'));
  const start = section.indexOf('```yaml\ngroups:');
  if (start === -1) throw new Error('docs/operations.md#monitoring has no ```yaml groups: block');
  return section.slice(start + '```yaml\n'.length, section.indexOf('```', start + 8));
}

type Process = { child: ChildProcess; output: () => string; exited: Promise<unknown> };

function start(command: string, args: string[], env: Record<string, string>): Process {
  const child = spawn(command, args, { cwd: REPO_ROOT, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return { child, output: () => output, exited: once(child, 'exit') };
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, proc?: Process, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  void proc?.exited.then(() => (exited = true));
  while (Date.now() < deadline) {
    if (exited) throw new Error(`${what}: the process exited:\n${proc?.output()}`);
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${what}: not within ${timeoutMs} ms${proc ? `:\n${proc.output()}` : ''}`);
}

it.runIf(!PROMETHEUS && IN_CI)('CI has the prometheus binary (.ci/run installs Debian\'s prometheus)', () => {
  expect.fail('prometheus is not installed: CI must run the real scrape test (apt-get install prometheus, or set PROMETHEUS_BIN)');
});

if (!PROMETHEUS && !IN_CI) {
  console.warn('test/stack/prometheus.test.ts: skipped, no prometheus binary on PATH (apt-get install prometheus, or set PROMETHEUS_BIN)');
}

describe.skipIf(!PROMETHEUS)('a real Prometheus scraping both apps', () => {
  let db: TestDatabase;
  let auth: Process;
  let mcp: Process;
  let prometheus: Process;
  let workDir = '';
  let authOrigin = '';
  let mcpUrl = '';
  let prometheusOrigin = '';

  beforeAll(async () => {
    db = await createTestDatabase();
    workDir = mkdtempSync(path.join(os.tmpdir(), 'omnichat-prometheus-'));
    const [authPort, authMetricsPort, mcpPort, mcpMetricsPort, prometheusPort] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort()]);
    authOrigin = `http://127.0.0.1:${authPort}`;
    mcpUrl = `http://127.0.0.1:${mcpPort}/mcp`;
    prometheusOrigin = `http://127.0.0.1:${prometheusPort}`;
    const common = {
      DATABASE_URL: db.url,
      ISSUER: authOrigin,
      RESOURCE_URL: mcpUrl,
      KEY_ENCRYPTION_SECRET: 'prometheus-test-key-encryption-secret-0123456789',
      METRICS_HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      SHUTDOWN_DRAIN_SECONDS: '0',
    };
    const tsx = (entry: string): [string, string[]] => [process.execPath, ['--import', 'tsx', entry]];
    auth = start(...tsx('apps/auth/src/server.ts'), { ...common, AUTH_HOST: '127.0.0.1', AUTH_PORT: String(authPort), AUTH_METRICS_PORT: String(authMetricsPort), LIMIT_REGISTER_PER_IP: '1/600' });
    await waitFor('auth ready', async () => ((await fetch(`${authOrigin}/readyz`)).ok ? true : undefined), auth);
    mcp = start(...tsx('apps/mcp/src/server.ts'), { ...common, MCP_HOST: '127.0.0.1', MCP_PORT: String(mcpPort), MCP_METRICS_PORT: String(mcpMetricsPort), MCP_REQUIRE_AUTH: 'false' });
    await waitFor('mcp ready', async () => ((await fetch(`http://127.0.0.1:${mcpPort}/readyz`)).ok ? true : undefined), mcp);

    writeFileSync(path.join(workDir, 'alerts.yml'), documentedAlertRules());
    writeFileSync(
      path.join(workDir, 'prometheus.yml'),
      [
        'global: { scrape_interval: 1s, evaluation_interval: 1s }',
        "rule_files: ['alerts.yml']",
        'scrape_configs:',
        `  - { job_name: omnichat-auth, static_configs: [{ targets: ['127.0.0.1:${authMetricsPort}'] }] }`,
        `  - { job_name: omnichat-mcp, static_configs: [{ targets: ['127.0.0.1:${mcpMetricsPort}'] }] }`,
        '',
      ].join('\n'),
    );
    prometheus = start(PROMETHEUS as string, [
      `--config.file=${path.join(workDir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${path.join(workDir, 'data')}`,
      `--web.listen-address=127.0.0.1:${prometheusPort}`,
      '--log.level=warn',
    ], {});
    await waitFor('prometheus ready', async () => ((await fetch(`${prometheusOrigin}/-/ready`)).ok ? true : undefined), prometheus);

    // Traffic that moves one series of each kind.
    const register = () => fetch(`${authOrigin}/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ redirect_uris: ['https://chatgpt.com/connector_platform_oauth_redirect'], token_endpoint_auth_method: 'none' }) });
    expect((await register()).status).toBe(201);
    expect((await register()).status).toBe(429);
    expect((await fetch(`${authOrigin}/no/such/page/alice@example.com`)).status).toBe(404);
    const account = await fetch(`${authOrigin}/account`);
    const csrf = /name="csrf" value="([^"]+)"/.exec(await account.text())?.[1] ?? '';
    const cookie = account.headers.getSetCookie().map((line) => line.split(';')[0]).join('; ');
    const signIn = await fetch(`${authOrigin}/account/login`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', cookie }, body: new URLSearchParams({ csrf, email: 'nobody@example.com', password: 'not the password' }) });
    expect(signIn.status).toBe(401);
    const toolCall = (name: string) => fetch(mcpUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name, arguments: name === 'public_search' ? { query: 'omnichat' } : {} } }),
    });
    expect((await toolCall('public_search')).status).toBe(200);
    expect((await toolCall('whoami')).status).toBe(200);
  }, 180_000);

  afterAll(async () => {
    for (const proc of [prometheus, mcp, auth]) {
      if (proc && proc.child.exitCode === null && proc.child.signalCode === null) {
        proc.child.kill('SIGTERM');
        const timer = setTimeout(() => proc.child.kill('SIGKILL'), 10_000);
        await proc.exited;
        clearTimeout(timer);
      }
    }
    if (workDir) rmSync(workDir, { recursive: true, force: true });
    await db?.drop();
  });

  type Result = { metric: Record<string, string>; value: [number, string] };
  const query = async (promql: string): Promise<Result[]> => {
    const response = await fetch(`${prometheusOrigin}/api/v1/query?${new URLSearchParams({ query: promql })}`);
    const body = (await response.json()) as { status: string; data?: { result: Result[] }; error?: string };
    if (body.status !== 'success') throw new Error(`${promql}: ${body.error}`);
    return body.data?.result ?? [];
  };
  /** Polls until the query returns exactly `expected` as its single value. */
  const eventually = (promql: string, expected: number) =>
    waitFor(`${promql} == ${expected}`, async () => {
      const results = await query(promql);
      return results.length === 1 && Number(results[0]?.value[1]) === expected ? results[0] : undefined;
    }, prometheus, 30_000);

  it('scrapes both targets', async () => {
    const auth = await eventually('up{job="omnichat-auth"}', 1);
    const mcp = await eventually('up{job="omnichat-mcp"}', 1);
    expect(auth.metric.instance).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(mcp.metric.instance).not.toBe(auth.metric.instance);
  });

  it('has the HTTP series by app, route pattern and status, unknown paths as "unmatched"', async () => {
    await eventually('omnichat_http_requests_total{job="omnichat-auth",app="auth",route="/register",status="201"}', 1);
    await eventually('omnichat_http_requests_total{app="auth",route="/register",status="429"}', 1);
    await eventually('omnichat_http_requests_total{app="auth",route="/account/login",status="401"}', 1);
    await eventually('omnichat_http_requests_total{app="auth",route="unmatched",status="404"}', 1);
    await eventually('omnichat_http_requests_total{job="omnichat-mcp",app="mcp",route="/mcp",status="200"}', 2);
    await eventually('omnichat_http_request_duration_seconds_count{app="mcp",route="/mcp",status="200"}', 2);
    const routes = (await query('count by (route) (omnichat_http_requests_total)')).map((result) => result.metric.route);
    expect(routes.every((route) => route === 'unmatched' || /^(\/[a-z.:_-]*)+$/.test(route ?? ''))).toBe(true);
    expect(routes.some((route) => route?.includes('alice'))).toBe(false);
  });

  it("has each app's own counters with their labels", async () => {
    await eventually('omnichat_client_registrations_total{app="auth",kind="dcr"}', 1);
    await eventually('omnichat_client_registrations_total{app="auth",kind="cimd"}', 0);
    await eventually('omnichat_rate_limited_total{app="auth",limit="register-ip"}', 1);
    await eventually('omnichat_sign_ins_total{app="auth",outcome="bad_credentials"}', 1);
    await eventually('omnichat_sign_ins_total{app="auth",outcome="succeeded"}', 0);
    await eventually('omnichat_tokens_issued_total{app="auth",grant_type="authorization_code"}', 0);
    await eventually('omnichat_refresh_reuse_detected_total{app="auth"}', 0);
    await eventually('omnichat_tool_calls_total{app="mcp",tool="public_search",outcome="ok"}', 1);
    await eventually('omnichat_tool_calls_total{app="mcp",tool="whoami",outcome="denied"}', 1);
    await eventually('omnichat_jwks_fetch_failures_total{app="mcp"}', 0);
  });

  it('has the pool gauges and the process metrics of both', async () => {
    await eventually('omnichat_db_pool_max_connections{app="auth"}', 10);
    await eventually('omnichat_db_pool_max_connections{app="mcp"}', 10);
    await eventually('count(process_cpu_user_seconds_total{app=~"auth|mcp"})', 2);
    await eventually('count(nodejs_eventloop_lag_seconds{app=~"auth|mcp"})', 2);
  });

  it('loads the documented alert rules, and none fires on a healthy pair', async () => {
    const rules = await waitFor('rules loaded', async () => {
      const body = (await (await fetch(`${prometheusOrigin}/api/v1/rules`)).json()) as { data: { groups: Array<{ rules: Array<{ name: string; health: string; state: string }> }> } };
      const all = body.data.groups.flatMap((group) => group.rules);
      return all.length > 0 && all.every((rule) => rule.health === 'ok') ? all : undefined;
    }, prometheus, 30_000);
    expect(rules.map((rule) => rule.name).sort()).toEqual([
      'OmniChatDatabasePoolSaturated',
      'OmniChatHttp5xx',
      'OmniChatJwksFetchFailing',
      'OmniChatRefreshTokenReuse',
      'OmniChatSignInFailureSpike',
      'OmniChatTargetDown',
    ]);
    expect(rules.filter((rule) => rule.state === 'firing').map((rule) => rule.name)).toEqual([]);
  });
});
