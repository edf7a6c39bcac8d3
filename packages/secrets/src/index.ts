export { deriveKey, seal, open, sealSecret, openSecret, SealedSecretError } from './secret-box.js';
export { DEV_KEY_ENCRYPTION_SECRET, MIN_KEY_ENCRYPTION_SECRET_CHARS } from './dev-secret.js';
