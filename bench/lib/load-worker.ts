// The load generator: a process of its own (pinned to the core the server under test does not
// use), so generating requests never steals CPU from the server being measured. Driven over IPC
// by bench/lib/load.ts.
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
  const result = await autocannon(options);
  return {
    requestsPerSecond: result['2xx'] / (result.duration || 1),
    latency: { p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, mean: result.latency.average },
    ok: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors,
    durationSeconds: result.duration,
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
