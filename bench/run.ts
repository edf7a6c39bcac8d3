// `pnpm bench` (full, minutes) and `pnpm bench --quick` (CI smoke test, under a minute): every
// figure in README's Performance section against baselines measured in this same run. Prints a table and one line per
// figure, checks each bar (PASS/FAIL, never failing the process for a missed bar), and writes
// bench/results/latest.json. Exits non-zero only when the bench itself breaks.
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FULL, QUICK, type BenchContext } from './lib/context.js';
import { createBenchDatabase } from './lib/database.js';
import { Report, renderTable } from './lib/figures.js';
import { linkAccount } from './lib/oauth-flow.js';
import { BENCH_DIR, choosePinning, startLoadGenerator } from './lib/processes.js';
import { benchPrisma, createUsers, startServers, type Servers } from './lib/setup.js';
import { runAuthFigures } from './suites/auth-tokens.js';
import { runCryptoFigures } from './suites/crypto.js';
import { runLoginEventLoop } from './suites/login-event-loop.js';
import { runMcpToolCalls } from './suites/mcp-toolcalls.js';
import { runToolAuditCost } from './suites/tool-audit.js';
import { runMemoryFigures } from './suites/memory.js';
import { runScaleFigures } from './suites/scale.js';

const args = new Set(process.argv.slice(2));
const soakOverride = process.argv.find((arg) => arg.startsWith('--soak='))?.slice('--soak='.length);
const mode = { ...(args.has('--quick') ? QUICK : FULL), ...(soakOverride ? { soakSeconds: Number(soakOverride) } : {}) };
const only = process.argv.find((arg) => arg.startsWith('--only='))?.slice('--only='.length).split(',');
const wants = (suite: string) => !only || only.includes(suite);
const started = Date.now();

const report = new Report();
const nproc = os.availableParallelism();
const pinning = choosePinning();
const machine = {
  nproc,
  cpu: os.cpus()[0]?.model ?? 'unknown',
  memoryGiB: Math.round(os.totalmem() / 2 ** 30),
  node: process.version,
  platform: `${os.platform()} ${os.release()}`,
};
console.log(`bench (${mode.quick ? 'quick' : 'full'}) on ${machine.nproc} cores, ${machine.cpu}, Node ${machine.node}`);
console.log(`pinning: ${pinning.description}`);

const database = await createBenchDatabase();
console.log(`database: ${database.description}`);
const prisma = benchPrisma(database);
const load = await startLoadGenerator(pinning);
let servers: Servers | undefined;
let failure: unknown;
try {
  const users = await createUsers(prisma, 400);
  servers = await startServers(pinning, database);
  console.log(`servers: ${servers.all.map((server) => `${server.name} ${server.url}`).join(', ')}`);
  const ctx: BenchContext = {
    mode,
    pinning,
    report,
    load,
    database,
    prisma,
    auth: servers.auth,
    authMemory: servers.authMemory,
    mcp: servers.mcp,
    resourceUrl: servers.resourceUrl,
    users,
    mcpTokens: await linkAccount(servers.auth.url, servers.resourceUrl, users[0]!),
    peakRss: new Map(),
    lastStats: new Map(),
  };
  const suites: Array<[string, () => Promise<void>]> = [
    ['crypto', () => runCryptoFigures(ctx)],
    ['mcp', () => runMcpToolCalls(ctx, { bareFastify: servers!.bareFastify, sdkStateless: servers!.sdkStateless, sdkMinimal: servers!.sdkMinimal, mcpQuiet: servers!.mcpQuiet, mcpNoMetrics: servers!.mcpNoMetrics })],
    ['tool-audit', () => runToolAuditCost(ctx, servers!.mcpNoAudit)],
    ['auth', async () => void (await runAuthFigures(ctx))],
    ['login', () => runLoginEventLoop(ctx)],
    ['scale', () => runScaleFigures(ctx)],
    ['memory', () => runMemoryFigures(ctx)],
  ];
  for (const [name, run] of suites) {
    if (!wants(name)) continue;
    console.log(`\n== ${name}`);
    const suiteStarted = Date.now();
    await run();
    console.log(`  (${name}: ${((Date.now() - suiteStarted) / 1000).toFixed(1)} s)`);
  }
} catch (error) {
  failure = error;
} finally {
  await Promise.allSettled((servers?.all ?? []).map((server) => server.stop()));
  await load.stop();
  await prisma.$disconnect();
  await database.drop().catch((error: unknown) => console.error('could not drop the bench database:', error));
}

const seconds = (Date.now() - started) / 1000;
console.log(`\n== results (${mode.quick ? 'quick' : 'full'} mode, ${seconds.toFixed(0)} s; ${pinning.description})\n`);
console.log(renderTable(report.figures));
console.log('');
for (const figure of report.figures) console.log(figureLineFor(figure.name));
console.log('');
for (const figure of report.figures) if (figure.note) console.log(`${figure.name} — ${figure.note}`);
for (const note of report.notes) console.log(`note: ${note}`);
const failed = report.failedBars;
console.log(failed.length === 0 ? '\nall bars met' : `\n${failed.length} bar(s) missed: ${failed.map((f) => `${f.figure} ${f.rule}`).join('; ')}`);

const resultsDir = path.join(BENCH_DIR, 'results');
mkdirSync(resultsDir, { recursive: true });
writeFileSync(
  path.join(resultsDir, 'latest.json'),
  `${JSON.stringify({ date: new Date().toISOString(), mode: mode.quick ? 'quick' : 'full', seconds, machine, pinning: pinning.description, database: database.description, figures: report.figures, notes: report.notes, failedBars: failed, error: failure ? String((failure as Error).stack ?? failure) : undefined }, null, 2)}\n`,
);
console.log(`wrote ${path.relative(process.cwd(), path.join(resultsDir, 'latest.json'))}`);

if (failure) {
  console.error('\nbench failed:', failure);
  process.exit(1);
}
process.exit(0);

function figureLineFor(name: string): string {
  const figure = report.figures.find((f) => f.name === name)!;
  const ratios = figure.comparisons.map((c) => `${c.ratio.toFixed(2)}× baseline ${c.baseline}`).join(', ');
  return `${figure.name}: ${formatNumber(figure.value)} ${figure.unit}${ratios ? ` (${ratios})` : ''}`;
}

function formatNumber(value: number): string {
  return value >= 100 ? Math.round(value).toString() : value.toPrecision(3);
}
