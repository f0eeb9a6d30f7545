export type { RateLimitObservation, RateLimiter } from './limiter';
export { InMemoryRateLimiter, type InMemoryRateLimiterOptions } from './memory';
export { PostgresRateLimiter, type PostgresRateLimiterOptions, type PostgresRateLimiterStats } from './postgres';
export { sleep } from './sleep';
export { type WindowState } from './window';
