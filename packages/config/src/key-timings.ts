import type { KeyTimings } from '@omnichat/signing-keys';
import { z } from 'zod';

/**
 * Signing-key rotation (@omnichat/signing-keys' rotation policy): the auth app runs the schedule
 * and the admin CLI's keys:* commands must keep the same one. Period in days (0 = only `pnpm admin
 * keys:rotate`), how often each replica polls for a key-set change (the bound on picking one up),
 * how long a next key is published before it signs (longer than any verifier caches the JWKS), and
 * the access-token lifetime, which bounds how long a retired key must still verify.
 */
export const KEY_TIMINGS_ENV = {
  ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().min(30).max(3600).default(600),
  KEY_ROTATION_DAYS: z.coerce.number().int().min(0).max(3650).default(90),
  KEY_SET_POLL_SECONDS: z.coerce.number().positive().max(3600).default(30),
  KEY_PUBLISH_LEAD_SECONDS: z.coerce.number().min(0).max(30 * 24 * 3600).default(900),
};

export function keyTimings(env: z.output<z.ZodObject<typeof KEY_TIMINGS_ENV>>): KeyTimings {
  return {
    accessTokenTtlSeconds: env.ACCESS_TOKEN_TTL_SECONDS,
    keySetPollSeconds: env.KEY_SET_POLL_SECONDS,
    keyPublishLeadSeconds: env.KEY_PUBLISH_LEAD_SECONDS,
    keyRotationDays: env.KEY_ROTATION_DAYS,
  };
}
