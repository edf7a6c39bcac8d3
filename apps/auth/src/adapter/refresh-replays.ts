import { createHash } from 'node:crypto';

import type { PrismaClient } from '@omnichat/db';

import type { Clock } from '../clock.js';

/** OidcPayload model of a rotation's stored response (deleted with its grant on revocation). */
export const REFRESH_REPLAY_MODEL = 'RefreshReplay';

/** A rotation's answer, kept for the duplicates of its request. */
export interface RefreshReplay {
  body: { refresh_token?: string };
  grantId: string | undefined;
}

/** Keyed by a hash of the presented refresh token: the table never holds a usable token as an id. */
const replayId = (refreshToken: string) => createHash('sha256').update(refreshToken).digest('base64url');

/** The replay records of refresh rotation (provider/refresh-grace.ts), in the OidcPayload table. */
export function refreshReplays(prisma: PrismaClient, clock: Clock) {
  return {
    /** The stored answer to rotating `presented`, if it is still live and was given to `clientId`. */
    async find(presented: string, clientId: string): Promise<RefreshReplay | undefined> {
      const row = await prisma.oidcPayload.findFirst({
        where: { model: REFRESH_REPLAY_MODEL, id: replayId(presented), expiresAt: { gt: clock() } },
      });
      const stored = row?.payload as { clientId?: string; body?: { refresh_token?: string } } | undefined;
      return stored?.clientId === clientId && stored.body ? { body: stored.body, grantId: row?.grantId ?? undefined } : undefined;
    },

    async save(presented: string, replay: RefreshReplay & { clientId: string; ttlSeconds: number }): Promise<void> {
      await prisma.oidcPayload.create({
        data: {
          model: REFRESH_REPLAY_MODEL,
          id: replayId(presented),
          grantId: replay.grantId ?? null,
          payload: { clientId: replay.clientId, body: replay.body as object },
          expiresAt: new Date(clock().getTime() + replay.ttlSeconds * 1000),
        },
      });
    },
  };
}
