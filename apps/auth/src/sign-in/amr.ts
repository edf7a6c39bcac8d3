/**
 * `amr` (OIDC Core §2, values from RFC 8176 §2) of a local sign-in, as each way in gives it to
 * oidc-provider (`login.amr`, or the account page's session); it reaches ID tokens through the
 * `openid` scope's claims (provider/configuration.ts). A company-IdP sign-in is SSO_AMR below.
 */
export const LOCAL_AMR = {
  /** The password alone. */
  password: ['pwd'],
  /** Password, then an authenticator-app code or a single-use recovery code (both one-time codes). */
  passwordAndCode: ['pwd', 'otp', 'mfa'],
  /** Password, then one of the user's passkeys as the second factor. */
  passwordAndPasskey: ['pwd', 'hwk', 'mfa'],
  /** `Sign in with a passkey`: a key held by the authenticator, user-verified (PIN or biometric), so both factors. */
  passkey: ['hwk', 'user', 'mfa'],
} as const satisfies Record<string, readonly string[]>;

/**
 * The `amr` of a session signed in through a company IdP: its second factor is the IdP's, so our
 * MFA_REQUIRED set-up does not apply to it (mfa/wire.ts; IdP accounts rely on the IdP's MFA).
 */
export const SSO_AMR = 'sso';
