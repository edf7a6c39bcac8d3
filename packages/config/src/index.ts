// The environment the apps share, as zod schema pieces each app's config.ts spreads into its own:
// the public URLs, the key-encryption secret, what both servers read alike (SERVER_ENV), the key
// timings and IdP timeout the admin CLI reads with the auth app, and the admin CLI's whole part.
export { commaList, derived, httpUrl, LOG_LEVEL, NODE_ENV, parseEnv } from './parse-env.js';
export { checkProductionUrls, ISSUER, RESOURCE_URL } from './public-urls.js';
export { checkKeySecret, KEY_SECRET_ENV, keySecret, type KeySecret } from './key-secret.js';
export { checkServerEnv, SERVER_ENV, serverSettings, type ServerSettings } from './server-env.js';
export { KEY_TIMINGS_ENV, keyTimings } from './key-timings.js';
export { SSO_TIMEOUT_ENV } from './sso-timeout.js';
export { ADMIN_ENV_VARS, loadAdminConfig, type AdminConfig } from './admin-config.js';
