export { buildAuthApp, type AuthDeps } from './app.js';
export { loadAuthConfig, type AuthConfig } from './config.js';
