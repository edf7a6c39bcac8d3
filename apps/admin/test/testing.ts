// `@omnichat/admin/testing`: what tests outside this app (the stack tests in test/stack/) use to run
// it: one command line in-process, whether pg_dump/pg_restore are here, and the variable the user
// commands read a password from.
export { admin, type AdminRun } from './helpers/run.js';
export { postgresToolsOrSkipReason } from './helpers/pg-tools.js';
export { PASSWORD_ENV } from '../src/password-input.js';
