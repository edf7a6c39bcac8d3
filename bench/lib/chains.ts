import type { BenchContext } from './context.js';
import type { RefreshChain } from './load-protocol.js';
import { linkAccount, type FlowUser } from './oauth-flow.js';
import type { ServerHandle } from './processes.js';

let nextUser = 1;

/** A different account per flow, so no account-level limit or lock ever shapes a figure. */
export function takeUser(ctx: BenchContext): FlowUser {
  const user = ctx.users[nextUser % ctx.users.length]!;
  nextUser += 1;
  return user;
}

/**
 * Refresh-token chains: one client, one account and one grant each (a real link through the
 * pages), a few at a time.
 */
export async function mintChains(ctx: BenchContext, server: ServerHandle, count: number): Promise<RefreshChain[]> {
  const chains: RefreshChain[] = [];
  const parallel = 4;
  for (let i = 0; i < count; i += parallel) {
    const batch = Array.from({ length: Math.min(parallel, count - i) }, () => linkAccount(server.url, ctx.resourceUrl, takeUser(ctx)));
    for (const tokens of await Promise.all(batch)) chains.push({ clientId: tokens.clientId, refreshToken: tokens.refreshToken });
  }
  return chains;
}
