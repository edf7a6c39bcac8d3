import { describe, expect, it } from 'vitest';

import { librarySource } from './provider-under-test.js';

// Contract of seams/oidc-token-entities.ts: the names under which oidc-provider's token endpoint
// leaves its entities on ctx.oidc (the behaviour is exercised end to end by the refresh-grace and
// grant-use tests; this pins the names those tests would only report as a silent no-op).
describe('seam: oidc-provider token endpoint entities', () => {
  it('a refresh_token grant records the rotated token as RotatedRefreshToken and the new ones as RefreshToken and AccessToken', async () => {
    const source = await librarySource('lib/actions/grants/refresh_token.js');
    expect(source).toContain("ctx.oidc.entity('RotatedRefreshToken', refreshToken)");
    expect(source).toContain("ctx.oidc.entity('RefreshToken'");
  });

  it('both code and refresh grants record the access token they issue as the AccessToken entity', async () => {
    expect(await librarySource('lib/helpers/grant_common.js')).toContain("ctx.oidc.entity('AccessToken', at)");
    expect(await librarySource('lib/actions/grants/refresh_token.js')).toContain("ctx.oidc.entity('AccessToken', at)");
    expect(await librarySource('lib/actions/grants/authorization_code.js')).toMatch(/from '\.\.\/\.\.\/helpers\/grant_common\.js'/);
  });
});
