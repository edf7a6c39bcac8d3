// The load generator: a process of its own (pinned to the core the server under test does not
// use), so generating requests never steals CPU from the server being measured. Driven over IPC
// by bench/lib/load.ts.
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import type { LoadRequest, LoadResult, RefreshChain } from './load-protocol.js';

process.on('message', (request: LoadRequest) => {
  run(request).then(
    (result) => process.send?.({ ok: true, result }),
    (error: unknown) => process.send?.({ ok: false, error: String((error as Error)?.stack ?? error) }),
  );
});
process.on('disconnect', () => process.exit(0));

async function run(request: LoadRequest): Promise<LoadResult> {
  const base = {
    url: request.url,
    connections: request.connections,
    pipelining: 1,
    timeout: 30,
    ...(request.amount !== undefined ? { amount: request.amount } : { duration: request.durationSeconds ?? 5 }),
  };
  let chains: RefreshChain[] | undefined;
  let options: autocannon.Options;
  if (request.kind === 'fixed') {
    options = {
      ...base,
      method: request.method,
      headers: request.headers,
      ...(request.body !== undefined ? { body: request.body } : {}),
      ...(request.bodies ? { requests: request.bodies.map((body) => ({ method: request.method, headers: request.headers, body })) } : {}),
    };
  } else {
    chains = request.chains.map((chain) => ({ ...chain }));
    options = { ...base, requests: [refreshRequest(chains)] };
  }
  // autocannon ends a run on its next one-second sample tick: after a fixed `amount` that adds up to
  // a second of idle time to `duration` (a 1.1 s run read as 2 s, half its rate). Such runs are
  // timed here, from the start to the last response.
  const started = performance.now();
  let lastResponseAt = started;
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(options, (error, done) => (error ? reject(error) : resolve(done)));
    if (request.amount !== undefined) instance.on('response', () => (lastResponseAt = performance.now()));
  });
  const seconds = request.amount !== undefined ? (lastResponseAt - started) / 1000 : result.duration;
  return {
    requestsPerSecond: result['2xx'] / (seconds || 1),
    latency: { p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, mean: result.latency.average },
    ok: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors,
    durationSeconds: seconds,
    ...(chains ? { chains: chains.filter((chain) => chain.refreshToken !== '') } : {}),
  };
}

type ChainContext = { chain?: RefreshChain };

/**
 * Each request borrows an idle chain and gives it back with the rotated token. autocannon resets a
 * connection's context between requests, so the chain travels in the context of one request only.
 * A chain whose refresh failed is retired (its token is spent or its grant revoked).
 */
function refreshRequest(chains: RefreshChain[]): autocannon.Request {
  const idle = [...chains];
  return {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    setupRequest(req, context: ChainContext) {
      const chain = idle.pop();
      if (!chain) throw new Error('more connections than refresh chains');
      context.chain = chain;
      const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: chain.refreshToken, client_id: chain.clientId });
      return { ...req, body: form.toString() };
    },
    onResponse(status, body, context: ChainContext) {
      const chain = context.chain;
      if (!chain) return;
      context.chain = undefined;
      if (status === 200) {
        chain.refreshToken = (JSON.parse(body) as { refresh_token: string }).refresh_token;
        idle.push(chain);
      } else {
        chain.refreshToken = '';
      }
    },
  } as autocannon.Request;
}
