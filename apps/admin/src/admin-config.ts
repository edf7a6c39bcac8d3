import { loadAdminConfig, type AdminConfig } from '@omnichat/config';

import { CommandError } from './command.js';

/**
 * The admin CLI's part of the apps' environment (@omnichat/config): key commands must use the
 * apps' KEY_ENCRYPTION_SECRET and the auth app's key timings, or they would seal keys the apps
 * cannot open and retire keys on a different schedule. A bad value refuses in one line.
 */
export function adminConfigFrom(env: Record<string, string | undefined>): AdminConfig {
  try {
    return loadAdminConfig(env);
  } catch (error) {
    throw new CommandError((error as Error).message.replace(/\n/g, '; '));
  }
}
