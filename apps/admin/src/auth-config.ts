import type { AuthConfig } from '@omnichat/auth';

import { CommandError } from './command.js';

/**
 * The auth app's own configuration, read from the same environment the auth app gets: key
 * commands must use its KEY_ENCRYPTION_SECRET and key timings, or they would seal keys it cannot
 * open and retire keys on a different schedule.
 */
export function authConfigFrom(env: Record<string, string | undefined>, load: (env: Record<string, string | undefined>) => AuthConfig): AuthConfig {
  try {
    return load(env);
  } catch (error) {
    throw new CommandError((error as Error).message.replace(/\n/g, '; '));
  }
}
