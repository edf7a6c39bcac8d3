import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';

import type { PrismaClient } from '@omnichat/db';
import { errors, type KoaContextWithOIDC } from 'oidc-provider';

import type { Clock } from '../adapter/prisma-adapter.js';
import type { GrantHandler } from './grant-hooks.js';

/** OidcPayload model of a rotation's stored response (deleted with its grant on revocation). */
export const REFRESH_REPLAY_MODEL = 'RefreshReplay';
/** How long a request that lost the race waits for the winner's response to be stored. */
const REPLAY_WAIT_MS = 3_000;
const REPLAY_POLL_MS = 25;

const replayId = (refreshToken: string) => createHash('sha256').update(refreshToken).digest('base64url');

/**
 * Race-safe rotation (SECURITY-CASES AS-28; oidc-provider has no reuse grace). ChatGPT and other
 * clients may refresh twice at once; without this, the second request revokes the whole grant and
 * forces the user to sign in again. Within `graceSeconds` of a rotation, presenting the rotated
 * token again, by the same client, returns the very same token pair; after it, reuse revokes the
 * grant as RFC 9700 §4.14.2 asks. The adapter hides `consumed` inside the window (so oidc-provider
 * never revokes there) and its atomic consume picks one winner; losers get the winner's stored
 * response, or invalid_grant if it never appears. State is in Postgres, so it holds across replicas.
 */
export function refreshGrace(prisma: PrismaClient, graceSeconds: number, clock: Clock = () => new Date()) {
  const findReplay = async (id: string, clientId: string) => {
    const row = await prisma.oidcPayload.findFirst({ where: { model: REFRESH_REPLAY_MODEL, id, expiresAt: { gt: clock() } } });
    const stored = row?.payload as { clientId?: string; body?: { refresh_token?: string } } | undefined;
    return stored?.clientId === clientId && stored.body ? { body: stored.body, grantId: row?.grantId ?? undefined } : undefined;
  };

  const waitForReplay = async (id: string, clientId: string) => {
    for (let waited = 0; waited <= REPLAY_WAIT_MS; waited += REPLAY_POLL_MS) {
      const replay = await findReplay(id, clientId);
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
  const successorUsed = async (successor: string | undefined) => {
    if (!successor) return false;
    const row = await prisma.oidcPayload.findUnique({ where: { model_id: { model: 'RefreshToken', id: successor } }, select: { consumedAt: true } });
    return !row || row.consumedAt !== null;
  };

  return (handler: GrantHandler): GrantHandler => {
    if (graceSeconds <= 0) return handler;
    return async (ctx: KoaContextWithOIDC) => {
      const presented = String(ctx.oidc.params?.refresh_token ?? '');
      const clientId = ctx.oidc.client?.clientId ?? '';
      try {
        await handler(ctx);
      } catch (error) {
        const lostRace = error instanceof errors.InvalidGrant && String((error as { error_detail?: string }).error_detail).endsWith('already consumed');
        if (!lostRace) throw error;
        const replay = await waitForReplay(replayId(presented), clientId);
        if (!replay) throw error;
        if (await successorUsed(replay.body.refresh_token)) {
          if (replay.grantId) {
            await prisma.oidcPayload.deleteMany({ where: { grantId: replay.grantId } });
            ctx.oidc.provider.emit('grant.revoked', ctx, replay.grantId);
          }
          throw error;
        }
        ctx.body = replay.body;
        return;
      }
      const rotated = ctx.oidc.entities.RotatedRefreshToken as { grantId?: string } | undefined;
      if (!rotated) return;
      await prisma.oidcPayload.create({
        data: {
          model: REFRESH_REPLAY_MODEL,
          id: replayId(presented),
          grantId: rotated.grantId ?? null,
          payload: { clientId, body: ctx.body as object },
          expiresAt: new Date(clock().getTime() + graceSeconds * 1000),
        },
      });
    };
  };
}
