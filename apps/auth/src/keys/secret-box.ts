// The sealing code moved to @omnichat/secrets so the MCP app and the admin CLI seal SSH keys the
// same way (same secret, same format, a distinct HKDF purpose each).
export { deriveKey, deriveKeys, open, openSealed, seal, sealSecret, SealedSecretError, type SecretRing } from '@omnichat/secrets';
