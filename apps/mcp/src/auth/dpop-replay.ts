import { createHash } from 'node:crypto';
import type { CounterStore } from '@omnichat/limits';
import { DPOP_IAT_WINDOW_SECONDS } from './dpop-proof.js';
import { InvalidDpopProofError } from './errors.js';

/**
 * A proof's `iat` is accepted up to the window either side of now, so a `jti` must be remembered
 * for the whole span a proof stays acceptable (RFC 9449 §11.1), plus a little for clock steps.
 */
export const DPOP_REPLAY_WINDOW_MS = (2 * DPOP_IAT_WINDOW_SECONDS + 5) * 1000;

export type DpopReplayGuard = {
  /** Records the proof's `jti` for its key; throws InvalidDpopProofError('replayed') on a second use. */
  claim(proof: { jti: string; thumbprint: string }): Promise<void>;
};

/**
 * One use per `jti`, across replicas: the shared abuse-counter store of @omnichat/limits (the
 * RateLimitCounter table, one atomic INSERT ... ON CONFLICT per hit; the auth app's periodic sweep
 * deletes finished windows). The first hit of a key counts 1; any other hit inside the window, from
 * any process, counts more and is a replay. Keys are hashed like every key of that store, and scoped
 * to the key thumbprint so one client cannot burn another's `jti` values.
 */
export function createDpopReplayGuard(store: CounterStore): DpopReplayGuard {
  return {
    async claim({ jti, thumbprint }) {
      const key = `dpop-jti:${createHash('sha256').update(`${thumbprint}\0${jti}`).digest('base64url')}`;
      let count: number;
      try {
        ({ count } = await store.hit(key, DPOP_REPLAY_WINDOW_MS));
      } catch (error) {
        throw new DpopReplayUnavailableError({ cause: error });
      }
      if (count > 1) throw new InvalidDpopProofError('replayed');
    },
  };
}

/** The replay store cannot be reached: a proof whose `jti` cannot be recorded is not accepted (503). */
export class DpopReplayUnavailableError extends Error {
  override readonly name = 'DpopReplayUnavailableError';
  constructor(options?: { cause?: unknown }) {
    super('DPoP replay store is unavailable', options);
  }
}
