/**
 * One step of a connection, as recorded. The shape is closed, like the audit trail's: `facts` has a
 * fixed set of fields, none of which can carry a code, token, verifier, password, assertion or
 * cookie, so a call site cannot store one by passing "the whole request".
 */
export const CONNECTION_STEPS = ['discovery', 'registration', 'authorize', 'sign-in', 'consent', 'token', 'mcp', 'refresh'] as const;
export type ConnectionStep = (typeof CONNECTION_STEPS)[number];
export type StepOutcome = 'ok' | 'failed';

/** What is worth knowing about a step; every field is public protocol data or our own verdict. */
export type ConnectionFacts = {
  /** HTTP method and path (no query string) of a discovery or /mcp request. */
  method?: string;
  path?: string;
  status?: number;
  /** Authorization and token requests. */
  redirectUri?: string;
  scope?: string;
  resource?: string;
  pkceMethod?: string;
  responseType?: string;
  grantType?: string;
  /** The OAuth error code sent back, and our reason for it (oidc-provider's detail, our policy's). */
  error?: string;
  reason?: string;
  /** Registration: the body's summary, or the CIMD document's URL. */
  clientName?: string;
  redirectUris?: string[];
  tokenEndpointAuthMethod?: string;
  grantTypes?: string[];
  applicationType?: string;
  /** /mcp: what the presented token claimed (never the token), and what this server expects. */
  tokenAudience?: string[];
  expectedAudience?: string;
  tokenIssuer?: string;
  expectedIssuer?: string;
  expiredAt?: string;
  kid?: string;
  scopesHeld?: string[];
  scopesNeeded?: string[];
  tool?: string;
  /** Refresh: rotated, answered again within the grace window, or reuse that ended the grant. */
  refresh?: 'rotated' | 'grace' | 'reuse';
  graceSeconds?: number;
};

export type ConnectionEventInput = {
  step: ConnectionStep;
  outcome: StepOutcome;
  /** One short line, for people. */
  detail: string;
  /** Why it failed, a key of RULES (diagnose.ts); absent for a step that went well. */
  rule?: string | undefined;
  clientId?: string | undefined;
  userId?: string | undefined;
  source?: string | undefined;
  facts?: ConnectionFacts | undefined;
  /** Defaults to when it was recorded. */
  at?: Date | undefined;
};

export type ConnectionEventRow = {
  id: bigint;
  at: Date;
  step: string;
  outcome: string;
  clientId: string | null;
  userId: string | null;
  source: string | null;
  rule: string | null;
  detail: string;
  facts: unknown;
};
