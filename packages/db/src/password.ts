// Password hashing for sign-in and the admin seed. argon2id with @node-rs/argon2's defaults
// (m=19456 KiB, t=2, p=1): OWASP Password Storage Cheat Sheet's minimum argon2id configuration.
// The PHC string carries salt and parameters, so raising them later still verifies old hashes.
import os from 'node:os';
import { hash, verify } from '@node-rs/argon2';
import pLimit from 'p-limit';

/**
 * Hashes at once: one core's worth fewer than the process may use (at least one). Each hash is
 * ~10 ms of CPU on libuv's thread pool; a burst of sign-ins would otherwise put four hashing
 * threads beside the event loop on every core it has (the loop then waits its turn, bench:
 * auth.login.event_loop_p99) and fill the pool that DNS lookups and file reads also wait on.
 * Sign-ins beyond it queue for a few ms; their total rate is bounded by the CPU either way.
 */
const hashing = pLimit(Math.max(1, os.availableParallelism() - 1));

export function hashPassword(password: string): Promise<string> {
  return hashing(() => hash(password));
}

/**
 * False for a wrong password and for a malformed stored hash alike: both mean "do not sign in".
 * False at once for no hash at all (an account that signs in only through SSO has no password).
 */
export async function verifyPassword(passwordHash: string | null, password: string): Promise<boolean> {
  if (passwordHash === null) return false;
  try {
    return await hashing(() => verify(passwordHash, password));
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
