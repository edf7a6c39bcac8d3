// `@omnichat/auth/testing`: what tests outside this app (the stack tests in test/stack/) use to run it:
// the app on a loopback port, a user, the test key secret, and the settings it reads (the compose-file
// checks compare them with docker-compose.yml).
export { TEST_KEY_ENCRYPTION_SECRET, createUser, startAuthServer, type RunningAuthServer } from './helpers/auth-server.js';
export { AUTH_ENV_VARS, DEFAULT_ALLOWED_REDIRECT_URIS } from '../src/config.js';
