import type { PrismaClient } from '@omnichat/db';
import { withTimeout } from '@omnichat/util';

/** A poll slower than this counts as failed (the last set is kept), so a hung database never stacks polls. */
const POLL_TIMEOUT_MS = 2_000;

/**
 * The kids of signing keys an operator revoked (`pnpm admin keys:revoke`), read from the shared
 * Postgres every `pollMs`. The JWKS this app caches (jose: up to 10 minutes, longer from the
 * stale-if-error copy during an auth outage) may still hold a revoked key, and the verified-token
 * cache may hold tokens it signed, so the verifier refuses any token whose header names a kid in
 * this set, and `onChange` clears the token cache. Bound: a revocation committed at T is enforced
 * for every request that starts after T + pollMs + one query. A failed poll keeps the last set.
 */
export type RevokedKeys = {
  has(kid: string): boolean;
  /** Bumped on every change: a verification that started under an older generation is not cached. */
  readonly generation: number;
  /** One poll now; true when the set changed. */
  refresh(): Promise<boolean>;
  stop(): void;
};

export function createRevokedKeys(options: {
  prisma: PrismaClient;
  pollMs: number;
  onChange?: (kids: ReadonlySet<string>) => void;
  onError?: (error: unknown) => void;
}): RevokedKeys {
  let kids: ReadonlySet<string> = new Set();
  let generation = 0;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;

  async function refresh(): Promise<boolean> {
    const rows = await withTimeout(options.prisma.signingKey.findMany({ where: { state: 'revoked' }, select: { kid: true } }), POLL_TIMEOUT_MS, 'revoked-key poll timed out');
    const fresh = new Set(rows.map((row) => row.kid));
    if (fresh.size === kids.size && [...fresh].every((kid) => kids.has(kid))) return false;
    kids = fresh;
    generation += 1;
    options.onChange?.(kids);
    return true;
  }

  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      refresh()
        .catch((error: unknown) => options.onError?.(error))
        .finally(schedule);
    }, options.pollMs);
    timer.unref();
  };
  schedule();

  return {
    has: (kid) => kids.has(kid),
    get generation() {
      return generation;
    },
    refresh,
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
