/** Who a verified access token speaks for. Tools key every row by `subject` and nothing else. */
export type Principal = {
  /** `sub`: the user's stable id (User.id on our authorization server). */
  subject: string;
  clientId: string;
  scopes: readonly string[];
  /** `exp`, seconds since the epoch. */
  expiresAt: number;
  /** `gid`: the authorization server's grant, whose revocation ends this token early. */
  grantId?: string;
  /** `cnf.jkt` (RFC 9449 §6): the token is DPoP-bound to the key with this thumbprint. */
  boundThumbprint?: string;
  /** `email`, when the authorization server puts it in the token. */
  email?: string;
};
