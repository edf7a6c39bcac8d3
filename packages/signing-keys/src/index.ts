// The signing keys in Postgres: their rows and states, rotation and its timings, re-sealing and
// revocation. The auth app signs with them (its live provider polls the set); the admin CLI
// rotates, revokes and re-seals them under the same lock.
export { ensureSigningKey, keySetVersion, loadSigningKeys, openSigningKey, SIGNING_ALG, SIGNING_KEY_PURPOSE, type KeyState, type SigningKeys } from './signing-keys.js';
export { resealSigningKeys, type ResealResult } from './reseal.js';
export { revokeSigningKey, RevocationRefusedError, type RevocationResult } from './revocation.js';
export { rotateSigningKeys, rotateIfDue, deleteExpiredRetiredKeys, RotationTooEarlyError, type RotationResult } from './rotation.js';
export { retiredKeyRetentionSeconds, retiredKeyExpired, nextKeyWaitSeconds, rotationDue, type KeyTimings } from './rotation-policy.js';
