// `pnpm --filter @omnichat/mcp conformance`: runs the official MCP conformance suite (server
// mode) against this app's /mcp on loopback. The suite needs Node 22, so npx runs it with the
// `node@22` npm package first on PATH; the system Node (20) and the workspace are untouched.
// Database: DATABASE_URL, else the embedded Postgres (as src/server.ts).
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPrismaClient, migrate, resolveDatabase } from '@omnichat/db';
import { buildMcpApp, loadMcpConfig } from '../src/index.js';

// Each published suite that ships scenarios for a revision we serve, and the scenarios of it that
// apply to a tools-only, stateless, JSON-response server (the others need resources, prompts,
// completion, sampling, elicitation, SSE progress or the suite's own test tools). The 2026-07-28
// scenarios ship only in the 0.2.0 pre-releases (latest stable 0.1.16 predates the revision); the
// one pinned here is the newest, run at the 2026-07-28 wire. CONFORMANCE_ONLY=<revision> runs one.
type Suite = {
  revision: string;
  version: string;
  args: readonly string[];
  scenarios: readonly string[];
  /**
   * Checks of a scenario that cannot apply here, by check id: the suite reports them failed
   * because this server has no prompts/resources or does not expose the suite's own diagnostic
   * tools. Any other failed check fails the run, so the rest of the scenario stays enforced.
   */
  notApplicable?: Record<string, readonly string[]>;
};
const SUITES: readonly Suite[] = [
  { revision: '2025-11-25', version: '0.1.16', args: [], scenarios: ['server-initialize', 'ping', 'tools-list', 'dns-rebinding-protection'] },
  {
    revision: '2026-07-28',
    version: '0.2.0-alpha.12',
    args: ['--spec-version', '2026-07-28'],
    scenarios: ['server-stateless', 'tools-list', 'dns-rebinding-protection', 'caching', 'http-header-validation'],
    notApplicable: {
      'server-stateless': [
        'sep-2575-server-rejects-undeclared-capability', // needs its tool test_missing_capability
        'sep-2575-missing-capability-http-400', // the same tool
        'sep-2575-http-server-no-independent-requests-on-stream', // needs test_streaming_elicitation
        'sep-2575-server-no-log-without-loglevel', // needs test_logging_tool
      ],
      caching: [
        'sep-2549-prompts-list-caching-hints', // no prompts here: -32601
        'sep-2549-resources-list-caching-hints', // no resources: -32601
        'sep-2549-resources-templates-list-caching-hints',
      ],
    },
  },
].filter((suite) => !process.env['CONFORMANCE_ONLY'] || suite.revision === process.env['CONFORMANCE_ONLY']);
const PORT = Number(process.env['CONFORMANCE_PORT'] ?? 3917);

const database = await resolveDatabase(process.env);
await migrate(database.url);
const prisma = createPrismaClient(database.url);
const config = loadMcpConfig({
  RESOURCE_URL: `http://localhost:${PORT}/mcp`,
  MCP_ALLOWED_HOSTS: `127.0.0.1:${PORT}`,
  LOG_LEVEL: 'warn',
  // The suite sends no token: its scenarios check the protocol, so they run in the mode where an
  // anonymous handshake is answered (ChatGPT's mixed mode). The default's 401s are tested in
  // test/tool-challenges.test.ts and test/stack/e2e/real-clients.e2e.test.ts (at the repository root).
  MCP_REQUIRE_AUTH: 'false',
});
const app = await buildMcpApp(config, { prisma });
await app.listen({ host: '127.0.0.1', port: PORT });

const resultsRoot = await mkdtemp(join(tmpdir(), 'omnichat-conformance-'));

function runScenario(suite: Suite, scenario: string, outputDir: string): Promise<number | null> {
  // Asynchronous on purpose: the server under test runs in this process's event loop.
  return new Promise((resolve) => {
    const child = spawn(
      'npx',
      [
        '--yes',
        '-p', 'node@22',
        '-p', `@modelcontextprotocol/conformance@${suite.version}`,
        '-c', `conformance server --url ${config.resourceUrl} --scenario ${scenario} -o ${outputDir} ${suite.args.join(' ')}`,
      ],
      { stdio: 'inherit' },
    );
    child.on('exit', resolve);
    child.on('error', () => resolve(null));
  });
}

type Check = { id: string; status: string };

/** The failed checks of a run, read from the checks.json files the suite wrote. */
async function failedChecks(outputDir: string): Promise<string[]> {
  const failed: string[] = [];
  for (const entry of await readdir(outputDir, { recursive: true })) {
    if (!entry.endsWith('checks.json')) continue;
    const checks = JSON.parse(await readFile(join(outputDir, entry), 'utf8')) as Check[];
    for (const check of checks) if (check.status === 'FAILURE') failed.push(check.id);
  }
  return failed;
}

let failed = 0;
let total = 0;
for (const suite of SUITES) {
  for (const scenario of suite.scenarios) {
    total += 1;
    console.log(`--- ${suite.revision}: ${scenario} (@modelcontextprotocol/conformance@${suite.version})`);
    const outputDir = join(resultsRoot, `${suite.revision}-${scenario}`);
    const exit = await runScenario(suite, scenario, outputDir);
    if (exit === 0) continue;
    const allowed = new Set(suite.notApplicable?.[scenario] ?? []);
    const unexpected = (await failedChecks(outputDir)).filter((id) => !allowed.has(id));
    if (allowed.size > 0 && exit === 1 && unexpected.length === 0) {
      console.log(`${scenario}: only the checks that cannot apply here failed (${[...allowed].join(', ')})`);
      continue;
    }
    console.log(`${scenario}: FAILED ${unexpected.length > 0 ? unexpected.join(', ') : `(exit ${exit})`}`);
    failed += 1;
  }
}
await rm(resultsRoot, { recursive: true, force: true });

await app.close();
await prisma.$disconnect();
await database.stop();
console.log(failed === 0 ? `conformance: ${total} scenarios passed` : `conformance: ${failed} of ${total} scenario(s) failed`);
process.exit(failed === 0 ? 0 : 1);
