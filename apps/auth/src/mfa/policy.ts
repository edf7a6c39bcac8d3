/**
 * MFA_REQUIRED: who must have a second factor. `admins` (the default) covers the accounts that can
 * change the server; `all` everyone with a local password; `off` nobody (factors stay optional).
 * Accounts from a company IdP rely on the IdP's own MFA and are not local accounts.
 */
export const MFA_POLICIES = ['off', 'admins', 'all'] as const;
export type MfaPolicy = (typeof MFA_POLICIES)[number];

export function mfaRequiredFor(policy: MfaPolicy, user: { isAdmin: boolean }): boolean {
  return policy === 'all' || (policy === 'admins' && user.isAdmin);
}
