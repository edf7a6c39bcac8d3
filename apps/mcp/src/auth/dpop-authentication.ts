import { InvalidTokenError } from './errors.js';
import { verifyDpopProof } from './dpop-proof.js';
import type { DpopReplayGuard } from './dpop-replay.js';
import type { Principal } from './principal.js';
import type { AccessTokenVerifier } from './verify-access-token.js';

export type DpopAuthenticator = {
  /** Verifies a `DPoP` access token and its proof for this request; returns who it speaks for. */
  authenticate(accessToken: string, proof: string | string[] | undefined, method: string): Promise<Principal>;
};

/**
 * RFC 9449 §7.1 at /mcp: the token as any other (signature, audience, revocation; cached), then
 * it must be bound (`cnf.jkt`), then the proof must be for this request and this key, then its
 * `jti` must be new everywhere. Order matters: the replay store is written only for proofs that
 * are otherwise valid, so garbage cannot fill it.
 */
export function createDpopAuthenticator(deps: {
  verifier: AccessTokenVerifier;
  replay: DpopReplayGuard;
  resourceUrl: string;
  now: () => number;
}): DpopAuthenticator {
  return {
    async authenticate(accessToken, proof, method) {
      const principal = await deps.verifier.verify(accessToken);
      if (principal.boundThumbprint === undefined) throw new InvalidTokenError('not_sender_constrained');
      const verified = await verifyDpopProof({
        proof,
        method,
        resourceUrl: deps.resourceUrl,
        accessToken,
        boundThumbprint: principal.boundThumbprint,
        now: deps.now(),
      });
      await deps.replay.claim(verified);
      return principal;
    },
  };
}
