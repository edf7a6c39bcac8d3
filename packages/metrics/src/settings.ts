import { isIP } from 'node:net';

import { z } from 'zod';

/** Where an app serves `GET /metrics`, or nothing at all (port 0). */
export type MetricsSettings = { enabled: false } | { enabled: true; host: string; port: number };

/** Default ports, one per app, so `pnpm start` (both apps in one process) never collides. */
export const DEFAULT_AUTH_METRICS_PORT = 9464;
export const DEFAULT_MCP_METRICS_PORT = 9465;

const HOST_NAME = /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i;

/**
 * METRICS_HOST: loopback by default. The listener has no authentication: only a scraper on the
 * same host (or, in compose, the container network) should reach it, never the public internet.
 */
export const metricsHostSchema = z
  .string()
  .trim()
  .refine((host) => isIP(host) !== 0 || HOST_NAME.test(host), 'must be an IP address or a host name (e.g. 127.0.0.1, 0.0.0.0, ::1, localhost)')
  .default('127.0.0.1');

/** `<APP>_METRICS_PORT`: 1-65535 listens, 0 disables the listener and the per-request timing. */
export const metricsPortSchema = (defaultPort: number) => z.coerce.number().int().min(0).max(65535).default(defaultPort);

export function metricsSettings(host: string, port: number): MetricsSettings {
  return port === 0 ? { enabled: false } : { enabled: true, host, port };
}

/**
 * The one rule both apps check at boot besides the value ranges: the metrics port is never the
 * public port (metrics would then be public, and the second listen fails anyway).
 */
export function metricsPortProblem(metricsPort: number, publicPort: number, publicPortName: string): string | undefined {
  if (metricsPort === 0 || metricsPort !== publicPort) return undefined;
  return `must differ from ${publicPortName} (${publicPort}): metrics are served on their own listener, never on the public port; 0 disables them`;
}
