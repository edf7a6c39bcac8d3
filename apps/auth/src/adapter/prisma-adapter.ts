import { sqlPool, type PrismaClient } from '@omnichat/db';
import { liveAt, OIDC_MODEL, revokedWithModel } from '@omnichat/db/oidc-store';
import { errors, type Adapter, type AdapterFactory, type AdapterPayload } from 'oidc-provider';

import { systemClock, type Clock } from '../clock.js';
import { AlreadyConsumedError } from './already-consumed.js';

/** Seconds on oidc-provider's clock (epoch seconds), which `consumed` is expressed in. */
const epochSeconds = (date: Date): number => Math.floor(date.getTime() / 1000);

/**
 * Postgres text and jsonb cannot hold U+0000 (a query with one fails), so no stored id or payload
 * contains it: a lookup with one finds nothing, and a request that would store one is malformed.
 * Found by the fuzz suite: `client_id=%00`, `state=%00` and the like were 500s.
 */
function hasNul(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (typeof value !== 'object' || value === null) return false;
  return Object.entries(value).some(([key, item]) => key.includes('\u0000') || hasNul(item));
}

/**
 * The three operations every token request makes (find by id, consume, upsert), as prepared
 * statements on the Prisma client's own pool: through Prisma each cost ~300-400 µs of CPU, several
 * times the query (bench/, auth.token.refresh). Columns are `timestamp` holding UTC wall time, as
 * Prisma writes them: instants go in as timestamptz AT TIME ZONE 'UTC' and come out the same way,
 * whatever the session's or the process's time zone.
 */
const FIND_BY_ID = {
  name: 'oidc.find',
  text: `SELECT "payload", ("consumedAt" AT TIME ZONE 'UTC') AS "consumedAt" FROM "OidcPayload"
         WHERE "model" = $1 AND "id" = $2 AND ("expiresAt" IS NULL OR "expiresAt" > ($3::timestamptz AT TIME ZONE 'UTC'))`,
};
const CONSUME = {
  name: 'oidc.consume',
  text: `UPDATE "OidcPayload" SET "consumedAt" = ($3::timestamptz AT TIME ZONE 'UTC')
         WHERE "model" = $1 AND "id" = $2 AND "consumedAt" IS NULL`,
};
const UPSERT = {
  name: 'oidc.upsert',
  text: `INSERT INTO "OidcPayload" ("model", "id", "payload", "grantId", "userCode", "uid", "expiresAt")
         VALUES ($1, $2, $3::jsonb, $4, $5, $6, ($7::timestamptz AT TIME ZONE 'UTC'))
         ON CONFLICT ("model", "id") DO UPDATE SET "payload" = EXCLUDED."payload", "grantId" = EXCLUDED."grantId",
           "userCode" = EXCLUDED."userCode", "uid" = EXCLUDED."uid", "expiresAt" = EXCLUDED."expiresAt"`,
};

/**
 * oidc-provider's storage contract (its example/my_adapter.js) over the OidcPayload table, one
 * row per artefact keyed by (model, id). Expiry is written from the app clock and enforced on
 * read with the same clock (AS-70), so a row past `expiresAt` is never returned even before the
 * sweep deletes it.
 */
export function createPrismaAdapter(prisma: PrismaClient, clock: Clock = systemClock, options: { refreshReuseGraceSeconds?: number } = {}): AdapterFactory {
  const graceMs = (options.refreshReuseGraceSeconds ?? 0) * 1000;
  const sql = sqlPool(prisma);
  return (model: string): Adapter => {
    // A refresh token rotated moments ago reads as unconsumed, so oidc-provider does not revoke the
    // grant for a concurrent duplicate; the atomic consume below still lets only one through and
    // provider/refresh-grace.ts answers the others (AS-28).
    const inGrace = (consumedAt: Date) => model === OIDC_MODEL.RefreshToken && clock().getTime() - consumedAt.getTime() < graceMs;

    const toPayload = (row: { payload: unknown; consumedAt: Date | null } | undefined | null): AdapterPayload | undefined => {
      if (!row) return undefined;
      const payload = row.payload as AdapterPayload;
      return row.consumedAt && !inGrace(row.consumedAt) ? { ...payload, consumed: epochSeconds(row.consumedAt) } : payload;
    };

    async function findWhere(where: { uid?: string; userCode?: string }): Promise<AdapterPayload | undefined> {
      if (Object.values(where).some(hasNul)) return undefined;
      return toPayload(await prisma.oidcPayload.findFirst({ where: { model, ...where, ...liveAt(clock()) } }));
    }

    async function findById(id: string): Promise<AdapterPayload | undefined> {
      if (hasNul(id)) return undefined;
      const { rows } = await sql.query<{ payload: unknown; consumedAt: Date | null }>({ ...FIND_BY_ID, values: [model, id, clock()] });
      return toPayload(rows[0]);
    }

    return {
      async upsert(id, payload, expiresIn) {
        if (hasNul(id) || hasNul(payload)) throw new errors.InvalidRequest('request parameters must not contain NUL characters');
        await sql.query({
          ...UPSERT,
          values: [
            model,
            id,
            JSON.stringify(payload),
            // A Grant is its own grant, so a removal of everything under a grant id (admin CLI) takes it too.
            payload.grantId ?? (model === OIDC_MODEL.Grant ? id : null),
            payload.userCode ?? null,
            payload.uid ?? null,
            expiresIn ? new Date(clock().getTime() + expiresIn * 1000) : null,
          ],
        });
      },

      find: findById,
      findByUid: (uid) => findWhere({ uid }),
      findByUserCode: (userCode) => findWhere({ userCode }),

      /**
       * Single use, atomically: a conditional update, so of N parallel redemptions of one code or
       * refresh token exactly one changes the row (AS-17, AS-28). oidc-provider checks `consumed`
       * before calling this, which alone would let concurrent requests all pass.
       */
      async consume(id) {
        if (hasNul(id)) throw new errors.InvalidGrant(`${model} not found`);
        const { rowCount } = await sql.query({ ...CONSUME, values: [model, id, clock()] });
        if (rowCount === 0) throw new AlreadyConsumedError(model);
      },

      async destroy(id) {
        if (hasNul(id)) return;
        await prisma.oidcPayload.deleteMany({ where: { model, id } });
      },

      /**
       * This model's artefacts of the grant, and nothing of another model (oidc-provider's adapter
       * contract): its revoke helper calls this per token model and destroys the Grant itself only
       * when `revokeGrantPolicy` says so, and an Interaction in flight under the grant (which
       * carries its id) is not a token. A refresh token's stored rotation replies go with it.
       */
      async revokeByGrantId(grantId) {
        if (hasNul(grantId)) return;
        await prisma.oidcPayload.deleteMany({ where: { grantId, model: { in: revokedWithModel(model) } } });
      },
    };
  };
}
