// The OidcPayload table is oidc-provider's storage (one row per artefact, keyed by model and id)
// plus the rotation replies of refresh rotation. These are the model names every reader and
// writer of its rows uses, and what "live" means for a row.

/** oidc-provider's model names (its adapter is called once per model) and our own RefreshReplay. */
export const OIDC_MODEL = {
  Grant: 'Grant',
  Client: 'Client',
  Session: 'Session',
  Interaction: 'Interaction',
  AccessToken: 'AccessToken',
  AuthorizationCode: 'AuthorizationCode',
  RefreshToken: 'RefreshToken',
  /** A refresh rotation's stored answer for the duplicates of its request (deleted with its grant). */
  RefreshReplay: 'RefreshReplay',
} as const;

/** Models whose rows are created only when a client is used (consent, code, refresh). */
export const CLIENT_USE_MODELS = ['Grant', 'AuthorizationCode', 'RefreshToken', 'ClientCredentials', 'DeviceCode', 'BackchannelAuthenticationRequest'];

/**
 * A row is live until its `expiresAt` (none: until deleted). Every read treats a row past it as
 * gone even before the auth app's sweep deletes it, on the reader's clock.
 */
export const liveAt = (now: Date) => ({ OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] });

/**
 * The models whose rows oidc-provider's `revokeByGrantId` on `model` removes: that model's own
 * artefacts of the grant, and with a refresh token its stored rotation replies.
 */
export const revokedWithModel = (model: string): string[] => (model === OIDC_MODEL.RefreshToken ? [model, OIDC_MODEL.RefreshReplay] : [model]);
