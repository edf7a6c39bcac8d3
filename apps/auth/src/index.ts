export { buildAuthApp, type AuthDeps } from './app.js';
export { loadAuthConfig, type AuthConfig } from './config.js';
export { audit, type AuditEvent, type AuditActor, type AuditLogger } from './audit/audit-log.js';
export { ensureSigningKey, keySetVersion, type KeyState } from './keys/signing-keys.js';
export { rotateSigningKeys, rotateIfDue, deleteExpiredRetiredKeys, RotationTooEarlyError, type RotationResult } from './keys/rotation.js';
export { retiredKeyRetentionSeconds, nextKeyWaitSeconds, type KeyTimings } from './keys/rotation-policy.js';
