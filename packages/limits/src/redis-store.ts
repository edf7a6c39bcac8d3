import { Redis } from 'ioredis';

import type { Clock, CounterStore } from './counter-store.js';

const PREFIX = 'omnichat:limit:';

// INCR and the window's expiry in one atomic step; a key that somehow lost its TTL gets one back.
const HIT = `
local count = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {count, ttl}`;

const HOLD = `
local ttl = redis.call('PTTL', KEYS[1])
if ttl < tonumber(ARGV[1]) then
  local count = tonumber(redis.call('GET', KEYS[1]) or '1')
  redis.call('SET', KEYS[1], count, 'PX', ARGV[1])
end
return 1`;

const PEEK = `
local count = redis.call('GET', KEYS[1])
if not count then return nil end
return {tonumber(count), redis.call('PTTL', KEYS[1])}`;

export type RedisStore = CounterStore & { close(): Promise<void> };

/**
 * Counters in Redis (when REDIS_URL is set). Commands fail fast instead of queueing while Redis is
 * down, so the resilient wrapper can fall back at once (REL-8) rather than hang a sign-in.
 */
export function createRedisStore(url: string, now: Clock = Date.now): RedisStore {
  const redis = new Redis(url, {
    lazyConnect: false,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2_000,
    commandTimeout: 1_000,
  });
  // Connection errors surface on each command; this keeps them from becoming unhandled events.
  redis.on('error', () => {});

  return {
    async hit(key, windowMs) {
      const [count, ttl] = (await redis.eval(HIT, 1, PREFIX + key, windowMs)) as [number, number];
      return { count, resetAt: new Date(now() + ttl) };
    },
    async hold(key, ms) {
      await redis.eval(HOLD, 1, PREFIX + key, Math.ceil(ms));
    },
    async peek(key) {
      const result = (await redis.eval(PEEK, 1, PREFIX + key)) as [number, number] | null;
      if (!result || result[1] <= 0) return undefined;
      return { count: result[0], resetAt: new Date(now() + result[1]) };
    },
    async reset(key) {
      await redis.del(PREFIX + key);
    },
    async close() {
      redis.disconnect();
    },
  };
}
