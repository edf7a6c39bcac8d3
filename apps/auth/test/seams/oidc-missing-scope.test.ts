import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { applyDefaultScope, defaultScopeForIdTokenHint } from '../../src/seams/oidc-missing-scope.js';
import { authorizationUrl, interactionUid, startProvider, type ProviderUnderTest } from './provider-under-test.js';

// Contract of seams/oidc-missing-scope.ts: oidc-provider reads its params from the ctx.query a
// pre-middleware set, checks the openid scope next to id_token_hint before extraParams run, and
// an extraParams validator's write to ctx.oidc.params.scope is the scope the request goes on with.
const DEFAULT_SCOPE = 'openid email';
const refusals: { error: string; description?: string }[] = [];

async function provider(withSeam: boolean): Promise<ProviderUnderTest> {
  return startProvider(
    {
      extraParams: { scope: (ctx, value) => applyDefaultScope(ctx, value as string | undefined, () => DEFAULT_SCOPE) },
      renderError: async (ctx, out) => {
        refusals.push({ error: String(out.error), description: out.error_description as string | undefined });
        ctx.body = 'refused';
      },
    },
    withSeam ? defaultScopeForIdTokenHint : () => {},
  );
}

let plain: ProviderUnderTest;
let seamed: ProviderUnderTest;
beforeAll(async () => {
  [plain, seamed] = await Promise.all([provider(false), provider(true)]);
});
afterAll(async () => Promise.all([plain?.close(), seamed?.close()]));

/** The refusal an authorization request got (oidc-provider redirects most errors to the client). */
async function refusal(url: string): Promise<string> {
  refusals.length = 0;
  const response = await fetch(url, { redirect: 'manual' });
  const location = URL.parse(response.headers.get('location') ?? '');
  return location?.searchParams.get('error_description') ?? refusals[0]?.description ?? `${response.status}`;
}

describe('seam: oidc-provider and a missing scope', () => {
  it('an extraParams validator assigning ctx.oidc.params.scope sets the scope the interaction carries', async () => {
    const uid = await interactionUid(authorizationUrl(seamed.issuer, {}));
    expect((await seamed.provider.Interaction.find(uid))?.params.scope).toBe(DEFAULT_SCOPE);
  });

  it('id_token_hint without scope is refused for the missing openid scope before extraParams run, unless openid stands in via ctx.query', async () => {
    const hint = { id_token_hint: 'not.a.token' };
    expect(await refusal(authorizationUrl(plain.issuer, hint))).toMatch(/openid scope must be requested/);
    const withStandIn = await refusal(authorizationUrl(seamed.issuer, hint));
    expect(withStandIn).not.toMatch(/openid scope/);
    // The hint itself is still checked by oidc-provider.
    expect(withStandIn).toMatch(/id_token_hint/);
  });
});
