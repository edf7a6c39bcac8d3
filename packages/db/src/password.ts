// Password hashing for sign-in and the admin seed. argon2id with @node-rs/argon2's defaults
// (m=19456 KiB, t=2, p=1): OWASP Password Storage Cheat Sheet's minimum argon2id configuration.
// The PHC string carries salt and parameters, so raising them later still verifies old hashes.
import { hash, verify } from '@node-rs/argon2';

export function hashPassword(password: string): Promise<string> {
  return hash(password);
}

/** False for a wrong password and for a malformed stored hash alike: both mean "do not sign in". */
export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

/**
 * The form emails are stored and looked up in: trimmed and lower-cased, so `User.email @unique` is
 * case-insensitive. (RFC 5321 lets a local part be case-sensitive; no mail provider users meet does.)
 */
export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}
