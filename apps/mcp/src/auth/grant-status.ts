import { BoundedMap, withTimeout } from '@omnichat/util';

/**
 * Whether the grant behind an access token (its `gid` claim) still exists on the authorization
 * server, answered from a small per-grant cache so the common case costs one Map lookup.
 *
 * Why an allow-list ("the Grant row is still there") and not a deny-list of revoked grants:
 * every way a grant ends — the user's disconnect on /account, `grants:revoke`, refresh-token or
 * code replay, RFC 7009 revocation of a refresh token, logout — deletes the Grant row (the Prisma
 * adapter's `revokeByGrantId` / `destroy`), so checking presence catches all of them, including
 * ones added later or done by hand in SQL, with no extra table or write on the auth side. A grant
 * that expired naturally is gone too, and its tokens are refused as well: no grant, no access.
 *
 * Bound: a status is trusted for `ttlMs` after it was read; the first request after that waits for
 * a fresh read (never served stale while the database answers). So a revocation committed at T is
 * enforced for every request that starts after T + ttlMs + one lookup. Lookups for many grants in
 * the same tick are coalesced into one query, and concurrent requests for one grant share it.
 *
 * Database faults: when a lookup fails or takes longer than `lookupTimeoutMs`, the last known
 * status is used (stale-if-error), and a grant never seen before is let through on its signature
 * alone — the authorization server cannot revoke anything while the shared database is down either,
 * and token verification must not depend on the database (docs/security.md REL-2). Lookups are then
 * retried at most once per `retryAfterErrorMs`, so a dead database costs no per-request latency.
 */
export type GrantLookup = (grantIds: readonly string[]) => Promise<ReadonlySet<string>>;

export type GrantStatusOptions = {
  /** Returns the subset of the ids whose grant is live. */
  lookup: GrantLookup;
  /** How long a read status is trusted (the revocation bound). */
  ttlMs: number;
  /** How long a refused grant is remembered; revocation is final, so longer than `ttlMs`. */
  revokedTtlMs?: number;
  lookupTimeoutMs?: number;
  retryAfterErrorMs?: number;
  maxEntries?: number;
  maxBatch?: number;
  now?: () => number;
  /** Called when a lookup failed and the answer came from the last known status. */
  onLookupError?: (error: unknown, grantIds: readonly string[]) => void;
};

type Entry = { live: boolean; freshUntilMs: number };

export type GrantStatus = {
  /** `true`/`false` at once when the cached status is fresh; a promise otherwise. */
  isLive(grantId: string): boolean | Promise<boolean>;
  readonly size: number;
  clear(): void;
};

export const DEFAULT_LOOKUP_TIMEOUT_MS = 1_000;

export function createGrantStatus(options: GrantStatusOptions): GrantStatus {
  const now = options.now ?? Date.now;
  const revokedTtlMs = options.revokedTtlMs ?? 10 * 60_000;
  const lookupTimeoutMs = options.lookupTimeoutMs ?? DEFAULT_LOOKUP_TIMEOUT_MS;
  const retryAfterErrorMs = options.retryAfterErrorMs ?? 1_000;
  const maxEntries = options.maxEntries ?? 50_000;
  const maxBatch = options.maxBatch ?? 500;
  if (!(options.ttlMs >= 0)) throw new TypeError('ttlMs must be a non-negative number');

  const entries = new BoundedMap<string, Entry>(maxEntries);
  const inFlight = new Map<string, Promise<boolean>>();
  const queued: Array<{ grantId: string; resolve(live: boolean): void }> = [];
  let retryLookupsAfterMs = 0;

  function remember(grantId: string, live: boolean): void {
    entries.set(grantId, { live, freshUntilMs: now() + (live ? options.ttlMs : revokedTtlMs) });
  }

  /** The answer while the database cannot be asked: the last known status, else live. */
  function fallback(grantId: string): boolean {
    return entries.get(grantId)?.live ?? true;
  }

  async function flush(): Promise<void> {
    const batch = queued.splice(0, maxBatch);
    if (queued.length > 0) queueMicrotask(() => void flush());
    const ids = batch.map((item) => item.grantId);
    let live: ReadonlySet<string> | undefined;
    try {
      live = await withTimeout(options.lookup(ids), lookupTimeoutMs, `grant lookup took longer than ${lookupTimeoutMs} ms`);
    } catch (error) {
      retryLookupsAfterMs = now() + retryAfterErrorMs;
      options.onLookupError?.(error, ids);
    }
    for (const { grantId, resolve } of batch) {
      inFlight.delete(grantId);
      if (live === undefined) {
        resolve(fallback(grantId));
      } else {
        const isLive = live.has(grantId);
        remember(grantId, isLive);
        resolve(isLive);
      }
    }
  }

  function isLive(grantId: string): boolean | Promise<boolean> {
    const entry = entries.get(grantId);
    const at = now();
    if (entry !== undefined && at < entry.freshUntilMs) return entry.live;
    if (at < retryLookupsAfterMs) return fallback(grantId);
    const pending = inFlight.get(grantId);
    if (pending) return pending;
    const promise = new Promise<boolean>((resolve) => {
      if (queued.length === 0) queueMicrotask(() => void flush());
      queued.push({ grantId, resolve });
    });
    inFlight.set(grantId, promise);
    return promise;
  }

  return {
    isLive,
    get size() {
      return entries.size;
    },
    clear() {
      entries.clear();
    },
  };
}

