import { isUuid, type PrismaClient } from '@omnichat/db';

import type { ConnectionEventInput, ConnectionFacts } from './connection-event.js';

export type DoctorLogger = { warn(object: object, message: string): void };

export type DoctorRecorder = {
  /** Queues one step; never throws, never waits. */
  record(event: ConnectionEventInput): void;
  /** Writes what is queued now (tests, shutdown). */
  flush(): Promise<void>;
  /** Flushes and stops the timer. */
  close(): Promise<void>;
  /** Steps dropped because the queue was full (the database is slow or down). */
  readonly dropped: number;
};

export type RecorderOptions = {
  prisma: PrismaClient;
  log: DoctorLogger;
  /** How long a step may wait in memory before its batch is written. */
  flushMs?: number;
  /** A batch this large is written at once. */
  batchSize?: number;
  /** Beyond this many queued steps new ones are dropped (counted, logged once per flush). */
  maxQueue?: number;
  now?: () => Date;
};

const MAX_TEXT = 300;
const MAX_LIST = 20;

/**
 * Off the request path: `record` only pushes onto an in-memory queue; a timer writes batches with
 * one INSERT each (createMany). A failed write is logged and its batch dropped: the doctor is a
 * diagnostic aid, and a database outage must never turn into failed sign-ins or tool calls.
 */
export function createDoctorRecorder(options: RecorderOptions): DoctorRecorder {
  const { prisma, log } = options;
  const flushMs = options.flushMs ?? 500;
  const batchSize = options.batchSize ?? 200;
  const maxQueue = options.maxQueue ?? 5_000;
  const now = options.now ?? (() => new Date());
  let queue: ReturnType<typeof toRow>[] = [];
  let dropped = 0;
  let droppedSinceLog = 0;
  let timer: NodeJS.Timeout | undefined;
  let writing: Promise<void> = Promise.resolve();

  const schedule = () => {
    if (timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      void flush();
    }, flushMs);
    timer.unref();
  };

  function flush(): Promise<void> {
    writing = writing.then(async () => {
      while (queue.length > 0) {
        const batch = queue.slice(0, batchSize);
        queue = queue.slice(batch.length);
        try {
          await prisma.connectionEvent.createMany({ data: batch });
        } catch (error) {
          log.warn({ err: error, steps: batch.length }, 'connection doctor: could not record steps');
        }
      }
      if (droppedSinceLog > 0) {
        log.warn({ dropped: droppedSinceLog }, 'connection doctor: queue full, steps dropped');
        droppedSinceLog = 0;
      }
    });
    return writing;
  }

  return {
    record(event) {
      if (queue.length >= maxQueue) {
        dropped += 1;
        droppedSinceLog += 1;
        return;
      }
      queue.push(toRow(event, now()));
      if (queue.length >= batchSize) void flush();
      else schedule();
    },
    flush,
    async close() {
      if (timer) clearTimeout(timer);
      timer = undefined;
      await flush();
    },
    get dropped() {
      return dropped;
    },
  };
}

/** Bounded text everywhere: facts can echo what a client sent (a redirect_uri, a claimed `aud`). */
function toRow(event: ConnectionEventInput, at: Date) {
  return {
    at: event.at ?? at,
    step: event.step,
    outcome: event.outcome,
    detail: cut(event.detail),
    rule: event.rule ?? null,
    clientId: event.clientId ? cut(event.clientId) : null,
    userId: event.userId && isUuid(event.userId) ? event.userId : null,
    source: event.source ? cut(event.source) : null,
    ...(event.facts ? { facts: boundedFacts(event.facts) } : {}),
  };
}

function boundedFacts(facts: ConnectionFacts): Record<string, string | number | string[]> {
  const out: Record<string, string | number | string[]> = {};
  for (const [key, value] of Object.entries(facts) as [string, unknown][]) {
    if (typeof value === 'string') out[key] = cut(value);
    else if (typeof value === 'number' && Number.isFinite(value)) out[key] = value;
    else if (Array.isArray(value)) out[key] = value.slice(0, MAX_LIST).map((item) => cut(String(item)));
  }
  return out;
}

const cut = (text: string) => (text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT)}…` : text);
