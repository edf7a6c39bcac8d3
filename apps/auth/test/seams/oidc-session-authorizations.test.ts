import { describe, expect, it } from 'vitest';

import { keepGrantsPastLogout } from '../../src/seams/oidc-session-authorizations.js';
import { librarySource, startProvider } from './provider-under-test.js';

// Contract of seams/oidc-session-authorizations.ts: oidc-provider's logout spares exactly the
// grants whose session authorization has `persistsLogout`, and a Session keeps the flag we set.
describe('seam: oidc-provider session authorizations and logout', () => {
  it('end_session revokes a grant only when its authorization lacks persistsLogout', async () => {
    const source = await librarySource('lib/actions/end_session.js');
    expect(source.match(/grantId && !session\.authorizationFor\([^)]*\)\.persistsLogout/g)).toHaveLength(2);
  });

  it('the flag set on every authorization (one created for the client attached) is kept in the stored session', async () => {
    const running = await startProvider();
    try {
      const session = new running.provider.Session();
      session.loginAccount({ accountId: 'someone' });
      session.authorizations = { other: { grantId: 'g-other' } };
      keepGrantsPastLogout(session, 'attached');
      await session.save(60);
      const stored = await running.provider.Session.findByUid(session.uid);
      expect(stored?.authorizations).toMatchObject({ other: { grantId: 'g-other', persistsLogout: true }, attached: { persistsLogout: true } });
    } finally {
      await running.close();
    }
  });
});
