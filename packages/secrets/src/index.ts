export { deriveKey, deriveKeys, seal, open, sealSecret, openSecret, openSealed, SealedSecretError, SEALED_FORMAT_VERSION, type Opened } from './secret-box.js';
export { ringOf, ringSecrets, secretId, previousSecretsProblems, type SecretRing } from './secret-ring.js';
export { DEV_KEY_ENCRYPTION_SECRET, MIN_KEY_ENCRYPTION_SECRET_CHARS } from './dev-secret.js';
