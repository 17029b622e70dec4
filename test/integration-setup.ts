// Integration tests read DATABASE_URL, REDIS_URL and NATS_URL. Where they are unset, a Docker
// engine provides testcontainers; without one, the local services on their standard ports are used.
import { resolveServiceUrls } from '@polymux/testing';

const LOCAL = {
  DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/polymux_test',
  REDIS_URL: 'redis://127.0.0.1:6379',
  NATS_URL: 'nats://127.0.0.1:4222',
} as const;

const dockerEngineRuns = async (): Promise<boolean> => {
  const { execFile } = await import('node:child_process');
  return new Promise((resolve) => execFile('docker', ['info'], { timeout: 5_000 }, (error) => resolve(!error)));
};

export default async (): Promise<void> => {
  const missing = (Object.keys(LOCAL) as Array<keyof typeof LOCAL>).filter((name) => !process.env[name]);
  if (missing.length === 0) return;
  if (await dockerEngineRuns()) {
    const urls = await resolveServiceUrls();
    process.env.DATABASE_URL = urls.databaseUrl;
    process.env.REDIS_URL = urls.redisUrl;
    process.env.NATS_URL = urls.natsUrl;
    (globalThis as { __polymuxContainers?: () => Promise<void> }).__polymuxContainers = urls.stop;
    return;
  }
  for (const name of missing) process.env[name] = LOCAL[name];
};
