// @omnichat/metrics: Prometheus metrics for both apps (prom-client): one registry per app, the HTTP
// request series, database pool gauges, each app's own counters, and the separate listener that
// serves them. docs/operations.md#monitoring lists every series.
export { createAppRegistry, type AppName } from './registry.js';
export type { Registry } from 'prom-client';
export { instrumentHttp, routePattern, UNMATCHED_ROUTE, type RouteLabel } from './http-metrics.js';
export { registerPoolGauges, type PoolStats } from './pool-metrics.js';
export { startMetricsServer, type MetricsServer } from './metrics-server.js';
export { createAuthMetrics, type AuthMetrics, type RegistrationKind, type SignInOutcome } from './auth-metrics.js';
export { createMcpMetrics, UNKNOWN_TOOL, type McpMetrics, type ToolCallOutcome } from './mcp-metrics.js';
export {
  DEFAULT_AUTH_METRICS_PORT,
  DEFAULT_MCP_METRICS_PORT,
  metricsHostSchema,
  metricsPortProblem,
  metricsPortSchema,
  metricsSettings,
  type MetricsSettings,
} from './settings.js';
