/**
 * Used only when KEY_ENCRYPTION_SECRET is unset outside production, so a laptop can start with no
 * setup. It is public (it is in this file): secrets it protects are not secret. Every app that
 * reads sealed rows must fall back to this same value, or they could not open each other's rows.
 */
export const DEV_KEY_ENCRYPTION_SECRET = 'omnichat-development-only-key-encryption-secret';

/** Shortest KEY_ENCRYPTION_SECRET the apps accept. */
export const MIN_KEY_ENCRYPTION_SECRET_CHARS = 32;
