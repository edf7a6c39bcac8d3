import type { FastifyInstance } from 'fastify';

/**
 * Whether this process should get new traffic. It starts ready and flips once, on SIGTERM, before
 * anything closes: the load balancer sees /readyz fail and stops routing here while requests
 * already routed still complete (Kubernetes "Pod termination", the preStop/readiness pattern).
 */
export type Readiness = {
  readonly draining: boolean;
  drain(): void;
};

export function createReadiness(): Readiness {
  let draining = false;
  return {
    get draining() {
      return draining;
    },
    drain() {
      draining = true;
    },
  };
}

/**
 * While draining, every response says `connection: close`, so keep-alive clients open their next
 * request elsewhere instead of on a socket that is about to go (RFC 9112 §9.6).
 */
export function closeConnectionsWhileDraining(app: FastifyInstance, readiness: Readiness): void {
  app.addHook('onSend', async (_request, reply, payload) => {
    if (readiness.draining) reply.header('connection', 'close');
    return payload;
  });
}
