// The one way to build a Prisma client: Prisma 7's generated client on @prisma/adapter-pg, so no
// query-engine binary is needed at run time.
import { setFlagsFromString } from 'node:v8';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaClient } from './generated/client.js';

// Prisma 7 plans every query in a WebAssembly module. V8 first compiles it with its baseline
// compiler (Liftoff), then recompiles hot functions with TurboFan in the background: ~50 MB more
// resident memory per process for no measurable gain here (bench/: memory.*.rss_peak, and CPU per
// query within noise), and on a server pinned to one core that recompilation competes with
// requests. Set before the first query compiles the module; it affects WebAssembly only.
setFlagsFromString('--liftoff-only');

/**
 * Bounds on how long a request can wait on the database (docs/security.md, database faults, REL-2): with Postgres down or
 * unreachable, a request fails within these and the app answers `server_error` instead of hanging.
 * pg's defaults are "forever" for all three.
 */
export const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;
/**
 * Far longer than any statement these apps run (single-row lookups, a signing-key rotation's
 * advisory-lock wait), and shorter than a client gives up on a token request.
 */
export const DEFAULT_STATEMENT_TIMEOUT_MS = 10_000;
/** How much longer the client waits for the server's own statement_timeout error to arrive. */
const QUERY_TIMEOUT_GRACE_MS = 1_000;

export interface PrismaClientOptions {
  /** Connections this process may hold; pg's default is 10. */
  maxConnections?: number;
  /**
   * Longest wait for a connection: the TCP and Postgres handshake, or a free slot in a full pool.
   * A `connect_timeout` (seconds, libpq's name) in the URL wins.
   */
  connectTimeoutMs?: number;
  /**
   * Server-side statement_timeout; the client gives up a second later (a partitioned server never
   * answers). `statement_timeout` / `query_timeout` (ms, pg's names) in the URL win.
   */
  statementTimeoutMs?: number;
}

export function createPrismaClient(databaseUrl: string, options: PrismaClientOptions = {}): PrismaClient {
  const connectSeconds = positiveParam(databaseUrl, 'connect_timeout');
  const statementTimeoutMs = positiveParam(databaseUrl, 'statement_timeout') ?? options.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS;
  const pool = new pg.Pool({
    // pg lets the URL's own statement_timeout / query_timeout override the values below.
    connectionString: databaseUrl,
    max: options.maxConnections ?? 10,
    connectionTimeoutMillis: connectSeconds !== undefined ? connectSeconds * 1000 : (options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS),
    statement_timeout: statementTimeoutMs,
    query_timeout: statementTimeoutMs + QUERY_TIMEOUT_GRACE_MS,
    // A peer that vanished without a FIN/RST (a cut network) is noticed by the kernel, not never.
    keepAlive: true,
  });
  // Prisma runs on this pool and ends it on $disconnect, as it does a pool it creates itself.
  const client = new PrismaClient({ adapter: new PrismaPg(pool, { disposeExternalPool: true }) });
  sqlPools.set(client, pool);
  return client;
}

const sqlPools = new WeakMap<PrismaClient, pg.Pool>();

/**
 * The pg pool under a client made by createPrismaClient: the same connections and the same bounds.
 * For the few hot reads where Prisma's own per-query work dominates: measured here (bench/), a
 * findUnique costs ~300-400 µs of CPU against ~60 µs for the same prepared statement on this pool.
 * Everything else goes through Prisma. Throws for a client made elsewhere.
 */
export function sqlPool(prisma: PrismaClient): pg.Pool {
  const pool = sqlPools.get(prisma);
  if (!pool) throw new TypeError('sqlPool needs a client made by createPrismaClient');
  return pool;
}

/** A positive number from the URL's query (0 or absent means "not set here"). */
function positiveParam(databaseUrl: string, name: string): number | undefined {
  const value = Number(URL.parse(databaseUrl)?.searchParams.get(name) ?? '');
  return Number.isFinite(value) && value > 0 ? value : undefined;
}
