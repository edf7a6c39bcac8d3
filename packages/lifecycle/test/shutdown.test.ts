import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';

import { closeConnectionsWhileDraining, createReadiness, installShutdown } from '../src/index.js';

const silent = { info: () => {}, error: () => {} };

async function slowApp() {
  const readiness = createReadiness();
  const app = Fastify();
  closeConnectionsWhileDraining(app, readiness);
  let release: () => void = () => {};
  const released = new Promise<void>((resolve) => (release = resolve));
  let started: () => void = () => {};
  const inFlight = new Promise<void>((resolve) => (started = resolve));
  app.get('/slow', async () => {
    started();
    await released;
    return { done: true };
  });
  app.get('/fast', async () => ({ ok: true }));
  app.get('/readyz', async (_request, reply) => (readiness.draining ? reply.code(503).send({ status: 'draining' }) : { status: 'ok' }));
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as { port: number };
  return { app, readiness, base: `http://127.0.0.1:${port}`, release, inFlight };
}

describe('installShutdown', () => {
  it('fails readiness at once, keeps serving through the drain delay, lets in-flight requests finish, then closes resources in order', async () => {
    const { app, readiness, base, release, inFlight } = await slowApp();
    const events: string[] = [];
    let exited: (code: number) => void = () => {};
    const exitCode = new Promise<number>((resolve) => (exited = resolve));
    const { stop } = installShutdown({
      readiness,
      settings: { drainDelayMs: 200, timeoutMs: 5_000 },
      closeHttp: async () => {
        await app.close();
        events.push('http closed');
      },
      steps: [
        { name: 'pool', run: async () => events.push('pool') },
        { name: 'embedded', run: async () => events.push('embedded') },
      ],
      log: silent,
      exit: (code) => exited(code),
      signals: [],
    });

    const slow = fetch(`${base}/slow`);
    await inFlight;
    const stopping = stop('SIGTERM');
    expect(readiness.draining).toBe(true);
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(503);
    const during = await fetch(`${base}/fast`);
    expect(during.status).toBe(200);
    expect(during.headers.get('connection')).toBe('close');
    expect(events).toEqual([]);

    // The listener closes after the delay, but the slow request is still running and must finish.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(events).toEqual([]);
    release();
    const response = await slow;
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ done: true });
    await stopping;
    expect(await exitCode).toBe(0);
    expect(events).toEqual(['http closed', 'pool', 'embedded']);
  });

  it('a second signal forces the exit at once: the force step runs and the code is 128 + the signal', async () => {
    const { app, readiness, inFlight, base, release } = await slowApp();
    let closes = 0;
    const exits: number[] = [];
    const forced: string[] = [];
    const { stop } = installShutdown({
      readiness,
      settings: { drainDelayMs: 60_000, timeoutMs: 120_000 },
      closeHttp: async () => {
        closes += 1;
        await app.close();
      },
      steps: [],
      force: () => forced.push('embedded postgres asked to stop'),
      log: silent,
      exit: (code) => exits.push(code),
      signals: [],
    });
    const slow = fetch(`${base}/slow`);
    await inFlight;
    void stop('SIGINT');
    void stop('SIGINT');
    expect(exits).toEqual([130]);
    expect(forced).toEqual(['embedded postgres asked to stop']);
    void stop('SIGTERM');
    expect(exits).toEqual([130, 143]);
    // The drain was never waited for.
    expect(closes).toBe(0);
    release();
    await slow;
    await app.close();
  });

  it('exits 1 when in-flight work overruns the timeout', async () => {
    const { app, readiness, base, inFlight, release } = await slowApp();
    let exited: (code: number) => void = () => {};
    const exitCode = new Promise<number>((resolve) => (exited = resolve));
    const { stop } = installShutdown({
      readiness,
      settings: { drainDelayMs: 0, timeoutMs: 150 },
      closeHttp: () => app.close(),
      steps: [],
      log: silent,
      exit: (code) => exited(code),
      signals: [],
    });
    const slow = fetch(`${base}/slow`).catch(() => undefined);
    await inFlight;
    void stop('SIGTERM');
    expect(await exitCode).toBe(1);
    release();
    await slow;
  });
});
