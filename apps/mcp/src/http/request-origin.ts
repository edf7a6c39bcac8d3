/**
 * MCP transports "Security Warning": servers MUST validate Origin to stop DNS rebinding, and we
 * check Host too (the SDK's own check is off by default). No Origin at all is fine: ChatGPT and
 * other server-side clients send none (docs/security.md RS-23). Pure.
 */
export function checkRequestOrigin(
  headers: { host?: string | undefined; origin?: string | undefined },
  allowed: { hosts: readonly string[]; origins: readonly string[] },
): string | null {
  const host = headers.host?.toLowerCase();
  if (host === undefined || !allowed.hosts.includes(host)) return `Invalid Host header: ${headers.host ?? '(none)'}`;
  if (headers.origin !== undefined && !allowed.origins.includes(headers.origin)) {
    return `Invalid Origin header: ${headers.origin}`;
  }
  return null;
}
