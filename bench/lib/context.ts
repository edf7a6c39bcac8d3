import type { PrismaClient } from '@omnichat/db';
import type { BenchDatabase } from './database.js';
import type { Report } from './figures.js';
import type { LoadGenerator, Pinning, ServerHandle } from './processes.js';
import type { FlowUser, Tokens } from './oauth-flow.js';
import type { ServerStats } from '../servers/server-ipc.js';

/** How long and how hard each mode measures. */
export type Mode = {
  quick: boolean;
  /** Seconds of load per throughput figure, after `warmupSeconds`. */
  loadSeconds: number;
  warmupSeconds: number;
  /** Interleaved rounds of the MCP throughput figures, `roundSeconds` each; the median counts. */
  rounds: number;
  roundSeconds: number;
  connections: number;
  /** Refresh chains (and connections) for the token-endpoint figures. */
  refreshConnections: number;
  flowSamples: number;
  concurrentLogins: number;
  scaleRows: number;
  soakSeconds: number;
};

export const FULL: Mode = {
  quick: false,
  loadSeconds: 10,
  warmupSeconds: 3,
  rounds: 5,
  roundSeconds: 4,
  connections: 50,
  refreshConnections: 16,
  flowSamples: 30,
  concurrentLogins: 32,
  scaleRows: 1_000_000,
  soakSeconds: 120,
};

export const QUICK: Mode = {
  quick: true,
  loadSeconds: 2,
  warmupSeconds: 1,
  rounds: 1,
  roundSeconds: 2,
  connections: 50,
  refreshConnections: 8,
  flowSamples: 8,
  concurrentLogins: 12,
  scaleRows: 20_000,
  soakSeconds: 0,
};

export type BenchContext = {
  mode: Mode;
  pinning: Pinning;
  report: Report;
  load: LoadGenerator;
  database: BenchDatabase;
  prisma: PrismaClient;
  auth: ServerHandle;
  /** Baseline (c): the same auth app on oidc-provider's in-memory adapter. */
  authMemory: ServerHandle;
  mcp: ServerHandle;
  resourceUrl: string;
  /** Users with the same password, so flows never wait on one account's rate limits. */
  users: FlowUser[];
  /** A real token from our auth app for the MCP figures; its user owns BENCH_FILE_PATH. */
  mcpTokens: Tokens;
  /** Resident set sizes seen per app while it was under load (bytes). */
  peakRss: Map<string, number>;
  /** Each server's own memory view at the end of its last measured load. */
  lastStats: Map<string, ServerStats>;
};

export const BENCH_FILE_PATH = 'notes/bench.txt';
