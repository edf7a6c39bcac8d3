// `pnpm --filter @omnichat/mcp conformance`: runs the official MCP conformance suite (server
// mode) against this app's /mcp on loopback. The suite needs Node 22, so npx runs it with the
// `node@22` npm package first on PATH; the system Node (20) and the workspace are untouched.
// Database: DATABASE_URL, else the embedded Postgres (as src/server.ts).
import { spawn } from 'node:child_process';
import { createPrismaClient, migrate, resolveDatabase } from '@omnichat/db';
import { buildMcpApp, loadMcpConfig } from '../src/index.js';

const CONFORMANCE_VERSION = '0.1.16';
// The scenarios that apply to a tools-only, stateless, JSON-response server. The others need
// resources, prompts, sampling, elicitation, SSE or the suite's own test tools.
const SCENARIOS = ['server-initialize', 'ping', 'tools-list', 'dns-rebinding-protection'];
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
  // test/tool-challenges.test.ts and test/e2e/real-clients.e2e.test.ts.
  MCP_REQUIRE_AUTH: 'false',
});
const app = await buildMcpApp(config, { prisma });
await app.listen({ host: '127.0.0.1', port: PORT });

function runScenario(scenario: string): Promise<number | null> {
  // Asynchronous on purpose: the server under test runs in this process's event loop.
  return new Promise((resolve) => {
    const child = spawn(
      'npx',
      [
        '--yes',
        '-p', 'node@22',
        '-p', `@modelcontextprotocol/conformance@${CONFORMANCE_VERSION}`,
        '-c', `conformance server --url ${config.resourceUrl} --scenario ${scenario}`,
      ],
      { stdio: 'inherit' },
    );
    child.on('exit', resolve);
    child.on('error', () => resolve(null));
  });
}

let failed = 0;
for (const scenario of SCENARIOS) {
  if ((await runScenario(scenario)) !== 0) failed += 1;
}

await app.close();
await prisma.$disconnect();
await database.stop();
console.log(failed === 0 ? `conformance: ${SCENARIOS.length} scenarios passed` : `conformance: ${failed} scenario(s) failed`);
process.exit(failed === 0 ? 0 : 1);
