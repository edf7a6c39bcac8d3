import { errors } from 'oidc-provider';
import { describe, expect, it } from 'vitest';

import { refusalDetail } from '../../src/seams/oidc-error-detail.js';

// Contract of seams/oidc-error-detail.ts: oidc-provider keeps the reason it does not send to the
// client on its errors as `error_detail`.
describe('seam: oidc-provider error detail', () => {
  it('reads the detail given to one of its errors, else its description', () => {
    expect(refusalDetail(new errors.InvalidGrant('refresh token not found'))).toBe('refresh token not found');
    expect(refusalDetail(new errors.InvalidRequest('missing parameter'))).toBe('missing parameter');
    expect(refusalDetail(new errors.InvalidTarget())).toBe(new errors.InvalidTarget().error_description);
  });
});
