import {
  createLocalJWKSet,
  createRemoteJWKSet,
  errors,
  jwksCache,
  type ExportedJWKSCache,
  type JWTVerifyGetKey,
} from 'jose';

export type ResilientJwksOptions = {
  /** jose: a key set older than this is refetched before use (default 10 min). */
  cacheMaxAgeMs?: number;
  /** jose: at most one refetch per this window for unknown `kid`s (RS-08 amplification guard). */
  cooldownMs?: number;
  timeoutMs?: number;
  /** Called when we answer from the last good key set because the endpoint failed. */
  onStale?: (error: unknown) => void;
  /**
   * Called once per failed fetch of the key set (unreachable, timeout, bad answer), whether or not
   * a last good set covered it; requests waiting on the same fetch count once.
   */
  onFetchFailure?: (error: unknown) => void;
};

/**
 * jose's remote key set, made stale-if-error.
 *
 * jose refetches once its copy is older than `cacheMaxAge` and fails the verification when that
 * fetch fails, so an authorization-server outage longer than ten minutes would refuse every token
 * (docs/security.md RS-11, REL-5). This keeps the last key set that was fetched successfully and
 * answers from it while the endpoint is down, retrying at most once per cool-down; an unknown
 * `kid` still fails (a key we never saw stays unknown). A set that is fetched successfully always
 * wins, so removed keys disappear at the next good fetch.
 */
export function createResilientRemoteJwks(url: URL, options: ResilientJwksOptions = {}): JWTVerifyGetKey {
  const cooldownMs = options.cooldownMs ?? 30_000;
  const cache: ExportedJWKSCache | Record<string, never> = {};
  const remote = createRemoteJWKSet(url, {
    cacheMaxAge: options.cacheMaxAgeMs ?? 600_000,
    cooldownDuration: cooldownMs,
    timeoutDuration: options.timeoutMs ?? 2_500,
    [jwksCache]: cache,
  });

  let lastGood: { uat: number; getKey: JWTVerifyGetKey } | undefined;
  const failuresSeen = new WeakSet<object>();
  let retryRemoteAfterMs = 0;

  const fromLastGood = (): JWTVerifyGetKey | undefined => {
    const { uat, jwks } = cache as Partial<ExportedJWKSCache>;
    if (uat !== undefined && jwks !== undefined && lastGood?.uat !== uat) {
      lastGood = { uat, getKey: createLocalJWKSet(jwks) };
    }
    return lastGood?.getKey;
  };

  return async (protectedHeader, token) => {
    if (Date.now() < retryRemoteAfterMs) {
      const stale = fromLastGood();
      if (stale) return stale(protectedHeader, token);
    }
    try {
      return await remote(protectedHeader, token);
    } catch (error) {
      // Failures of the key lookup itself are answers, not outages.
      if (
        error instanceof errors.JWKSNoMatchingKey ||
        error instanceof errors.JWKSMultipleMatchingKeys ||
        error instanceof errors.JOSENotSupported
      ) {
        throw error;
      }
      if (typeof error === 'object' && error !== null && !failuresSeen.has(error)) {
        failuresSeen.add(error);
        options.onFetchFailure?.(error);
      }
      const stale = fromLastGood();
      if (!stale) throw error;
      retryRemoteAfterMs = Date.now() + cooldownMs;
      options.onStale?.(error);
      return stale(protectedHeader, token);
    }
  };
}
