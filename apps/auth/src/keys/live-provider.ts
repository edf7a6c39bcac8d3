import type { IncomingMessage, ServerResponse } from 'node:http';

import type { PrismaClient } from '@omnichat/db';
import type Provider from 'oidc-provider';

import { audit, type AuditLogger } from '@omnichat/audit';
import { ringOf, type SecretRing } from '@omnichat/secrets';
import { keySetVersion, loadSigningKeys, rotateIfDue, type KeyTimings, type SigningKeys } from '@omnichat/signing-keys';

type Log = AuditLogger & { warn(object: object, message: string): void };

export type LiveProviderOptions = {
  prisma: PrismaClient;
  /** Opens keys with any secret of the ring; seals new ones with its current secret. */
  secret: string | SecretRing;
  timings: KeyTimings;
  /** Builds a fully configured provider (configuration, discovery, event listeners) for a key set. */
  build: (jwks: SigningKeys) => Provider;
  log: Log;
  now?: () => Date;
};

export type LiveProvider = {
  /** The provider serving requests now; replaced whole when the key set changes. */
  readonly current: Provider;
  /** Kids the current provider publishes (current first). */
  readonly kids: string[];
  /** Hands a request to the current provider. */
  handle(request: IncomingMessage, response: ServerResponse): void;
  /** One poll: run the rotation schedule, then rebuild if the key set changed. True if rebuilt. */
  refresh(): Promise<boolean>;
  stop(): void;
};

/**
 * oidc-provider reads `jwks` once, at construction, and has no hook to change it, so a key-set
 * change is picked up by building a new provider and swapping it in: one assignment, so each
 * request runs wholly on the old or wholly on the new instance. Every replica polls a cheap
 * fingerprint of the key set (ids and states) every KEY_SET_POLL_SECONDS, so a rotation done
 * anywhere is served everywhere within that bound, without a restart. All provider state lives in
 * Postgres, so nothing is lost in the swap. A failed poll keeps the current provider.
 */
export async function startLiveProvider(options: LiveProviderOptions): Promise<LiveProvider> {
  const { prisma, secret, timings, log } = options;
  const now = options.now ?? (() => new Date());
  const initial = await loadSigningKeys(prisma, secret);
  let state = install(initial);
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  function install(keys: Awaited<ReturnType<typeof loadSigningKeys>>) {
    const provider = options.build({ keys: keys.keys });
    return { provider, handler: provider.callback(), version: keys.version, kids: keys.keys.map((key) => String(key.kid)) };
  }

  async function refresh(): Promise<boolean> {
    const { rotation, deletedKids } = await rotateIfDue(prisma, ringOf(secret).current, { timings, now: now() });
    if (rotation) audit(log, { event: 'key.rotated', currentKid: rotation.currentKid, retiredKid: rotation.retiredKid, nextKid: rotation.nextKid, by: 'schedule' });
    for (const kid of deletedKids) audit(log, { event: 'key.deleted', kid, by: 'schedule' });
    if ((await keySetVersion(prisma)) === state.version) return false;
    const keys = await loadSigningKeys(prisma, secret);
    state = install(keys);
    log.info({ kids: state.kids }, 'signing key set changed: provider rebuilt');
    return true;
  }

  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      refresh()
        .catch((error: unknown) => log.warn({ err: error }, 'signing key poll failed; keeping the current key set'))
        .finally(schedule);
    }, timings.keySetPollSeconds * 1000);
    timer.unref();
  };
  schedule();

  return {
    get current() {
      return state.provider;
    },
    get kids() {
      return state.kids;
    },
    // Koa's callback settles every request itself (errors go to ctx.onerror): its promise never rejects.
    handle: (request, response) => void state.handler(request, response),
    refresh,
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
