import { setTimeout as sleep } from 'node:timers/promises';

import type { AuditLogger } from '@omnichat/audit';
import type { PrismaClient } from '@omnichat/db';
import { refreshReplays, revokeGrants } from '@omnichat/db/oidc-store';
import type { KoaContextWithOIDC } from 'oidc-provider';

import { AlreadyConsumedError } from '../adapter/already-consumed.js';
import { systemClock, type Clock } from '../clock.js';
import { markRefresh } from '../doctor/refresh-marks.js';
import type { GrantHandler } from '../seams/oidc-grant-handlers.js';
import { presentedRefreshToken, rotatedRefreshTokenGrant } from '../seams/oidc-token-entities.js';

/** How long a request that lost the race waits for the winner's response to be stored. */
const REPLAY_WAIT_MS = 3_000;
const REPLAY_POLL_MS = 25;

/**
 * Race-safe rotation (docs/security.md AS-28; oidc-provider has no reuse grace). ChatGPT and other
 * clients may refresh twice at once; without this, the second request revokes the whole grant and
 * forces the user to sign in again. Within `graceSeconds` of a rotation, presenting the rotated
 * token again, by the same client, returns the very same token pair; after it, reuse revokes the
 * grant as RFC 9700 §4.14.2 asks. The adapter hides `consumed` inside the window (so oidc-provider
 * never revokes there) and its atomic consume picks one winner; losers get the winner's stored
 * response, or invalid_grant if it never appears. State is in Postgres, so it holds across replicas.
 */
export function refreshGrace(
  prisma: PrismaClient,
  graceSeconds: number,
  { log, clock = systemClock, onReuse = () => {} }: { log: AuditLogger; clock?: Clock | undefined; onReuse?: () => void },
) {
  const replays = refreshReplays(prisma, clock);

  const waitForReplay = async (presented: string, clientId: string) => {
    for (let waited = 0; waited <= REPLAY_WAIT_MS; waited += REPLAY_POLL_MS) {
      const replay = await replays.find(presented, clientId);
      if (replay) return replay;
      await sleep(REPLAY_POLL_MS);
    }
    return undefined;
  };

  /**
   * The grace is for duplicates of one refresh, sent before the client saw its answer. Once the
   * token that rotation issued has itself been used, the client has moved on: the old token coming
   * back is reuse, not a race, and ends the grant as it would after the window (RFC 9700 §4.14.2).
   */
  const successorUsed = async (successor: string | undefined) => (successor ? replays.refreshTokenSpent(successor) : false);

  return (handler: GrantHandler): GrantHandler => {
    if (graceSeconds <= 0) return handler;
    return async (ctx: KoaContextWithOIDC) => {
      const presented = presentedRefreshToken(ctx);
      const clientId = ctx.oidc.client?.clientId ?? '';
      try {
        await handler(ctx);
      } catch (error) {
        if (!(error instanceof AlreadyConsumedError)) throw error;
        const replay = await waitForReplay(presented, clientId);
        if (!replay) throw error;
        if (await successorUsed(replay.body.refresh_token)) {
          // Reuse detected within the grace window: oidc-provider raises no event for this one.
          onReuse();
          markRefresh(ctx, 'reuse');
          if (replay.grantId) await revokeGrants(prisma, { grantIds: [replay.grantId], clientId: clientId || undefined }, { log, by: 'client' });
          throw error;
        }
        ctx.body = replay.body;
        markRefresh(ctx, 'grace');
        return;
      }
      const rotated = rotatedRefreshTokenGrant(ctx);
      if (!rotated) return;
      await replays.save(presented, { clientId, grantId: rotated.grantId, body: ctx.body as object, ttlSeconds: graceSeconds });
    };
  };
}
