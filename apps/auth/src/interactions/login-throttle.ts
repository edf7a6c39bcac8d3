/**
 * What the sign-in forms need from an abuse limiter (AS-53): a wait before the password is even
 * checked, and the outcome afterwards. Keys are the normalised email (whether or not the account
 * exists, so the throttle reveals nothing, AS-54) and the client IP. The app wires the shared,
 * Postgres- or Redis-backed implementation (src/limits/login-throttle.ts).
 */
export type LoginThrottle = {
  /** Seconds to wait before this sign-in may be tried, or 0. */
  waitSeconds(email: string, ip: string): Promise<number>;
  failed(email: string, ip: string): Promise<void>;
  succeeded(email: string): Promise<void>;
};

export function throttledMessage(waitSeconds: number): string {
  return `Too many sign-in attempts. Try again in ${waitSeconds} ${waitSeconds === 1 ? 'second' : 'seconds'}.`;
}

/** Generic on purpose: unknown email and wrong password must read the same (AS-54). */
export const BAD_CREDENTIALS = 'That email and password do not match an account.';
