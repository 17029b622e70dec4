// Integration tests read DATABASE_URL, REDIS_URL and NATS_URL; `resolveServiceUrls` fills in any
// that is unset (a testcontainer where a Docker engine runs, else the local service).
import { resolveServiceUrls } from '@polymux/testing';

export default async (): Promise<void> => {
  const urls = await resolveServiceUrls();
  process.env.DATABASE_URL = urls.databaseUrl;
  process.env.REDIS_URL = urls.redisUrl;
  process.env.NATS_URL = urls.natsUrl;
  (globalThis as { __polymuxContainers?: () => Promise<void> }).__polymuxContainers = urls.stop;
};
