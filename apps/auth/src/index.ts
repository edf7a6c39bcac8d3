export { buildAuthApp, type AuthDeps } from './app.js';
export { loadAuthConfig, type AuthConfig } from './config.js';
export { audit, type AuditEvent, type AuditActor, type AuditLogger } from '@omnichat/audit';
