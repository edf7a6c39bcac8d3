// @omnichat/limits: abuse limits shared by replicas. Postgres by default, Redis when configured,
// per-process memory only as the fallback when the shared store fails (REL-8).
export type { CounterStore, CounterWindow, Clock } from './counter-store.js';
export { createMemoryStore } from './memory-store.js';
export { createPostgresStore, sweepRateLimitCounters } from './postgres-store.js';
export { createRedisStore, type RedisStore } from './redis-store.js';
export { createResilientStore, type ResilienceOptions } from './resilient-store.js';
export { createRateLimiter, type LimitVerdict, type RateLimiter } from './rate-limiter.js';
export { parseRate, type BackoffRule, type LimitRule } from './limit-rule.js';
