import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { grantResourceVariants } from '../../src/seams/oidc-resource-variants.js';
import { authorizationUrl, interactionUid, librarySource, startProvider, type ProviderUnderTest } from './provider-under-test.js';

// Contract of seams/oidc-resource-variants.ts: a resource server added to ctx.oidc.resourceServers
// while oidc-provider resolves an authorization request is still there when the request goes on
// (the interaction, and the code, whose resources are that object's keys). The whole flow with
// both spellings is tested in test/refusals.test.ts and security/refresh-and-scope.test.ts (AS-35).
const RESOURCE = 'https://rs.example/mcp';
const VARIANT = `${RESOURCE}/`;
let running: ProviderUnderTest;
let resolved: string[] = [];

beforeAll(async () => {
  running = await startProvider({
    interactions: {
      url: async (ctx, interaction) => {
        resolved = Object.keys(ctx.oidc.resourceServers ?? {});
        return `/interaction/${interaction.uid}`;
      },
    },
    scopes: ['openid', 'files:read'],
    features: {
      // Its development views would take the interaction URL over.
      devInteractions: { enabled: false },
      resourceIndicators: {
        enabled: true,
        defaultResource: async () => RESOURCE,
        getResourceServerInfo: async (ctx, indicator) => {
          const info = { scope: 'files:read', audience: RESOURCE, accessTokenFormat: 'jwt' as const };
          grantResourceVariants(ctx, [RESOURCE, VARIANT].filter((variant) => variant !== indicator), info);
          return info;
        },
      },
    },
  });
});
afterAll(async () => running?.close());

describe('seam: oidc-provider resource servers of an authorization request', () => {
  it("a variant added while the requested resource is resolved is one of the request's resource servers afterwards", async () => {
    await interactionUid(authorizationUrl(running.issuer, { scope: 'openid files:read', resource: RESOURCE }));
    expect(resolved.sort()).toEqual([RESOURCE, VARIANT]);
  });

  it("the code's resources are the keys of ctx.oidc.resourceServers, filled in place by the resolution", async () => {
    expect(await librarySource('lib/helpers/process_response_types.js')).toContain('resource: Object.keys(ctx.oidc.resourceServers)');
    expect(await librarySource('lib/shared/check_resource.js')).toContain('resourceServers[identifier] = new provider.ResourceServer(identifier, resourceServer)');
  });
});
