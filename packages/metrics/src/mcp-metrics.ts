import { Counter, type Registry } from 'prom-client';

import { createAppRegistry } from './registry.js';

/**
 * How a tools/call ended: `ok`; `tool_error` (the tool refused: bad path, not found, over quota);
 * `denied` (no sign-in or scope); `invalid_arguments`; `unavailable` (database down);
 * `internal_error` (a bug); `unknown_tool`.
 */
export type ToolCallOutcome = 'ok' | 'tool_error' | 'denied' | 'invalid_arguments' | 'unavailable' | 'internal_error' | 'unknown_tool';

/** The `tool` of a call naming no registered tool: the name itself is the caller's free text. */
export const UNKNOWN_TOOL = 'unknown';

/** The MCP server's own series. */
export type McpMetrics = {
  registry: Registry;
  /** `tool` is a registered tool's name, or UNKNOWN_TOOL: never a name a caller made up. */
  toolCall(tool: string, outcome: ToolCallOutcome): void;
  jwksFetchFailed(): void;
  /** `limit` is a fixed limit name (`ssh-concurrency`), never a subject. */
  rateLimited(limit: string): void;
  /** Tool-call audit rows that never reached Postgres: `queue_full`, `write_failed` or `closed`. */
  toolAuditDropped(rows: number, reason: string): void;
};

export function createMcpMetrics(registry: Registry = createAppRegistry('mcp')): McpMetrics {
  const registers = [registry];
  const calls = new Counter({ name: 'omnichat_tool_calls_total', help: 'MCP tools/call requests, by tool and outcome.', labelNames: ['tool', 'outcome'] as const, registers });
  const jwks = new Counter({ name: 'omnichat_jwks_fetch_failures_total', help: "Failed fetches of the authorization server's JWKS (verification then uses the last good key set, if any).", registers });
  const limited = new Counter({ name: 'omnichat_rate_limited_total', help: 'Requests refused by an abuse limit, by limit name.', labelNames: ['limit'] as const, registers });
  const auditDropped = new Counter({ name: 'omnichat_tool_audit_dropped_total', help: 'Tool-call audit rows dropped (queue full, write failed, written after shutdown), by reason.', labelNames: ['reason'] as const, registers });
  return {
    registry,
    toolCall: (tool, outcome) => calls.inc({ tool, outcome }),
    jwksFetchFailed: () => jwks.inc(),
    rateLimited: (limit) => limited.inc({ limit }),
    toolAuditDropped: (rows, reason) => auditDropped.inc({ reason }, rows),
  };
}
