import { createHash } from 'node:crypto';

import type { PrismaClient } from '../generated/client.js';
import { OIDC_MODEL } from './models.js';

/** A rotation's answer, kept for the duplicates of its request. */
export interface RefreshReplay {
  body: { refresh_token?: string };
  grantId: string | undefined;
}

/** Keyed by a hash of the presented refresh token: the table never holds a usable token as an id. */
const replayId = (refreshToken: string) => createHash('sha256').update(refreshToken).digest('base64url');

/** The replay records of refresh rotation (the auth app's refresh grace), in the OidcPayload table. */
export function refreshReplays(prisma: PrismaClient, clock: () => Date) {
  return {
    /** The stored answer to rotating `presented`, if it is still live and was given to `clientId`. */
    async find(presented: string, clientId: string): Promise<RefreshReplay | undefined> {
      const row = await prisma.oidcPayload.findFirst({
        where: { model: OIDC_MODEL.RefreshReplay, id: replayId(presented), expiresAt: { gt: clock() } },
      });
      const stored = row?.payload as { clientId?: string; body?: { refresh_token?: string } } | undefined;
      return stored?.clientId === clientId && stored.body ? { body: stored.body, grantId: row?.grantId ?? undefined } : undefined;
    },

    async save(presented: string, replay: RefreshReplay & { clientId: string; ttlSeconds: number }): Promise<void> {
      await prisma.oidcPayload.create({
        data: {
          model: OIDC_MODEL.RefreshReplay,
          id: replayId(presented),
          grantId: replay.grantId ?? null,
          payload: { clientId: replay.clientId, body: replay.body as object },
          expiresAt: new Date(clock().getTime() + replay.ttlSeconds * 1000),
        },
      });
    },

    /** Whether the refresh token `id` was used (consumed) or is gone: the rotation's successor moved on. */
    async refreshTokenSpent(id: string): Promise<boolean> {
      const row = await prisma.oidcPayload.findUnique({ where: { model_id: { model: OIDC_MODEL.RefreshToken, id } }, select: { consumedAt: true } });
      return !row || row.consumedAt !== null;
    },
  };
}
