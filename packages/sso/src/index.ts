// @omnichat/sso: upstream OpenID Connect providers ("Continue with <IdP>"), shared by the auth app
// (the sign-in flow) and the admin CLI (idp:add/list/remove): their settings rules, the sealed client
// secret, discovery with openid-client, and the rows.
export {
  parseIdpSettings,
  issuerProblem,
  ssoRedirectUri,
  emailDomain,
  IdpSettingsError,
  DEFAULT_IDP_SCOPES,
  type IdpSettings,
  type IdpSettingsInput,
} from './settings.js';
export { sealClientSecret, openClientSecret } from './client-secret.js';
export { discoverIdp, idpFailure, failureDetail, IdpDiscoveryError, DEFAULT_IDP_TIMEOUT_SECONDS, type IdpClient, type IdpFailure } from './discover.js';
export {
  addIdentityProvider,
  listIdentityProviders,
  removeIdentityProvider,
  soleSignInUsers,
  publicIdentityProvider,
  IdpExistsError,
  type IdentityProviderSummary,
  type PublicIdentityProvider,
  type RemoveOutcome,
} from './store.js';
