import type { ConnectionEventInput } from './connection-event.js';

/** The request a well-known fetch was, as both apps' HTTP layers see it. */
export type WellKnownFetch = { method: string; url: string; ip: string; status: number };

/**
 * The `discovery` step of one `/.well-known/...` fetch (AS metadata on the auth app, protected
 * resource metadata on the MCP app): a 4xx/5xx is a failed step under `discovery.not_found`, so
 * the doctor can tell a client that asked for the wrong path. The query string is never kept.
 */
export function discoveryStep(fetch: WellKnownFetch, what?: string): ConnectionEventInput {
  const path = fetch.url.split('?')[0] ?? fetch.url;
  const ok = fetch.status < 400;
  return {
    step: 'discovery',
    outcome: ok ? 'ok' : 'failed',
    ...(ok ? {} : { rule: 'discovery.not_found' }),
    source: fetch.ip,
    detail: `${fetch.method} ${path} → ${fetch.status}${what ? ` (${what})` : ''}`,
    facts: { method: fetch.method, path, status: fetch.status },
  };
}
