/**
 * The `amr` of a session signed in through a company IdP: its second factor is the IdP's, so our
 * MFA_REQUIRED set-up does not apply to it (mfa/wire.ts; IdP accounts rely on the IdP's MFA).
 */
export const SSO_AMR = 'sso';
