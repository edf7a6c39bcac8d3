import { z } from 'zod';

/**
 * Every request to an identity provider (discovery, token, keys) gives up after this long: the
 * auth app's sign-in and `pnpm admin idp:add`'s discovery alike.
 */
export const SSO_TIMEOUT_ENV = {
  SSO_TIMEOUT_SECONDS: z.coerce.number().positive().max(60).default(10),
};
