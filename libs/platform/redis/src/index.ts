export * from './redis.module';
export type { Redis } from 'ioredis';
