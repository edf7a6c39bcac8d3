// Messages between the bench runner and its load-generator process (bench/lib/load-worker.ts).

/** One fixed request, sent over and over (MCP tool calls, baselines). */
export type FixedLoad = {
  kind: 'fixed';
  url: string;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
  /** Several bodies sent in turn on each connection instead of `body` (a mixed load). */
  bodies?: string[];
};

/**
 * Refresh-token grants with rotation (RFC 9700 §4.14.2): every response carries the next refresh
 * token of that chain, so each chain is used by one request at a time and updated from its answer.
 */
export type RefreshLoad = {
  kind: 'refresh';
  url: string;
  chains: RefreshChain[];
};

export type RefreshChain = { clientId: string; refreshToken: string };

export type LoadRequest = (FixedLoad | RefreshLoad) & {
  connections: number;
  /** Either a duration or an exact number of requests (which ends with no request cut short). */
  durationSeconds?: number;
  amount?: number;
};

export type LoadResult = {
  requestsPerSecond: number;
  /** Milliseconds. */
  latency: { p50: number; p90: number; p99: number; mean: number };
  ok: number;
  non2xx: number;
  errors: number;
  durationSeconds: number;
  /** Server CPU time per successful request, microseconds (filled in by the runner). */
  serverCpuMicrosPerRequest?: number;
  /** Refresh loads: the chains with their newest refresh tokens, for the next run. */
  chains?: RefreshChain[];
};
