export { buildAuthApp, type AuthDeps } from './app.js';
export { loadAuthConfig, type AuthConfig } from './config.js';
export { audit, type AuditEvent, type AuditActor, type AuditLogger } from '@omnichat/audit';
export { ensureSigningKey, keySetVersion, type KeyState } from './keys/signing-keys.js';
export { resealSigningKeys, type ResealResult } from './keys/reseal.js';
export { revokeSigningKey, RevocationRefusedError, type RevocationResult } from './keys/revocation.js';
export { rotateSigningKeys, rotateIfDue, deleteExpiredRetiredKeys, RotationTooEarlyError, type RotationResult } from './keys/rotation.js';
export { retiredKeyRetentionSeconds, nextKeyWaitSeconds, type KeyTimings } from './keys/rotation-policy.js';
