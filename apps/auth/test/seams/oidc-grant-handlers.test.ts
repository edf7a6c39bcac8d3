/// <reference path="../../src/seams/oidc-internals.d.ts" />
import * as grants from 'oidc-provider/lib/actions/grants/index.js';
import * as grantHelpers from 'oidc-provider/lib/helpers/grants.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { installGrantHooks } from '../../src/seams/oidc-grant-handlers.js';
import { CLIENT_ID, REDIRECT_URI, seamClient, startProvider, type ProviderUnderTest } from './provider-under-test.js';

// Contract of seams/oidc-grant-handlers.ts: oidc-provider's built-in grant handlers are reachable
// from its lib/ modules with the shape initialize_app binds, and wrapped they still answer.
let running: ProviderUnderTest;
const seen: string[] = [];

beforeAll(async () => {
  running = await startProvider({ clients: [seamClient(['authorization_code', 'refresh_token'])] }, (provider) =>
    installGrantHooks(provider, {
      beforeGrant: async (ctx) => {
        seen.push(`before ${String(ctx.oidc.params?.grant_type)} ${ctx.oidc.client?.clientId}`);
      },
      wrapRefresh: (handler) => async (ctx) => {
        seen.push('refresh wrapper');
        await handler(ctx);
      },
    }),
  );
});
afterAll(async () => running?.close());

const token = (form: Record<string, string>) =>
  fetch(`${running.issuer}/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ client_id: CLIENT_ID, ...form }) });

describe('seam: oidc-provider built-in grant handlers', () => {
  it('lib/actions/grants exports authorization_code and refresh_token as initialize_app registers them', () => {
    expect(grants.authorization_code.grantType).toBe('authorization_code');
    expect(grants.refresh_token.grantType).toBe('refresh_token');
    expect([...grants.authorization_code.parameters]).toEqual(expect.arrayContaining(['code', 'code_verifier', 'redirect_uri']));
    expect([...grants.refresh_token.parameters]).toEqual(expect.arrayContaining(['refresh_token', 'scope']));
    expect(typeof grants.authorization_code.handler).toBe('function');
    expect(typeof grants.refresh_token.handler).toBe('function');
  });

  it('lib/helpers/grants exports only functions (bound to the provider as its handlers expect)', () => {
    const helpers = Object.values(grantHelpers);
    expect(helpers.length).toBeGreaterThan(0);
    expect(helpers.every((helper) => typeof helper === 'function')).toBe(true);
  });

  it('the re-registered grants see the authenticated client first, then the built-in handler answers', async () => {
    seen.length = 0;
    const code = await token({ grant_type: 'authorization_code', code: 'not-a-code', code_verifier: 'x'.repeat(43), redirect_uri: REDIRECT_URI });
    expect(code.status).toBe(400);
    expect(((await code.json()) as { error: string }).error).toBe('invalid_grant');
    const refresh = await token({ grant_type: 'refresh_token', refresh_token: 'not-a-token' });
    expect(refresh.status).toBe(400);
    expect(((await refresh.json()) as { error: string }).error).toBe('invalid_grant');
    expect(seen).toEqual([`before authorization_code ${CLIENT_ID}`, `before refresh_token ${CLIENT_ID}`, 'refresh wrapper']);
  });
});
