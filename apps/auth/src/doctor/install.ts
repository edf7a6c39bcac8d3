import type { IncomingMessage } from 'node:http';

import type { PrismaClient } from '@omnichat/db';
import { createDoctorRecorder, discoveryStep, pruneConnectionEvents, type DoctorRecorder } from '@omnichat/doctor';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type Provider from 'oidc-provider';

import type { Clock } from '../clock.js';
import type { AuthConfig } from '../config.js';
import { recordProviderEvents } from './provider-events.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The connection doctor's recorder (doctor/install.ts): queue a step, never wait for it. */
    doctor: DoctorRecorder;
  }
}

/** How often a replica prunes the timeline (DOCTOR_RETENTION_HOURS, then the row cap). */
const PRUNE_INTERVAL_MS = 5 * 60_000;

export type InstalledDoctor = {
  recorder: DoctorRecorder;
  /** For buildProvider: records each provider instance's steps (a key rotation builds a new one). */
  watch(provider: Provider): void;
};

/**
 * The auth app's side of the connection doctor: the recorder (decorated as `app.doctor` for the
 * interaction routes), discovery fetches (AS metadata, also the 404s of a wrong well-known path),
 * the provider's events, and the retention prune.
 */
export function installDoctor(app: FastifyInstance, config: AuthConfig, prisma: PrismaClient, clock?: Clock): InstalledDoctor {
  const recorder = createDoctorRecorder({ prisma, log: app.log, ...(clock ? { now: clock } : {}) });
  app.decorate('doctor', recorder);
  app.addHook('onClose', async () => recorder.close());

  // The Fastify request behind each raw one: oidc-provider's listeners see only the raw request,
  // and its `ctx.ip` would believe any X-Forwarded-For; Fastify's `request.ip` honours TRUST_PROXY.
  const requests = new WeakMap<IncomingMessage, FastifyRequest>();
  app.addHook('onRequest', (request, reply, done) => {
    requests.set(request.raw, request);
    if (request.url.startsWith('/.well-known/')) {
      reply.raw.once('finish', () => recorder.record(discoveryStep({ method: request.method, url: request.url, ip: request.ip, status: reply.raw.statusCode })));
    }
    done();
  });

  const prune = setInterval(() => {
    pruneConnectionEvents(prisma, { retentionHours: config.doctorRetentionHours, ...(clock ? { now: clock } : {}) })
      .catch((error: unknown) => app.log.warn({ err: error }, 'connection doctor prune failed'));
  }, PRUNE_INTERVAL_MS);
  prune.unref();
  app.addHook('onClose', async () => clearInterval(prune));

  return {
    recorder,
    watch: (provider) => recordProviderEvents(provider, {
      doctor: recorder,
      sourceOf: (raw) => requests.get(raw)?.ip,
      resourceUrl: config.resourceUrl,
      refreshGraceSeconds: config.refreshReuseGraceSeconds,
    }),
  };
}
