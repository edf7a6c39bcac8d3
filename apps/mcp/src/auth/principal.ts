/** Who a verified access token speaks for. Tools key every row by `subject` and nothing else. */
export type Principal = {
  /** `sub`: the user's stable id (User.id on our authorization server). */
  subject: string;
  clientId: string;
  scopes: readonly string[];
  /** `exp`, seconds since the epoch. */
  expiresAt: number;
  /** `email`, when the authorization server puts it in the token. */
  email?: string;
};
