import { execFileSync } from 'node:child_process';

export interface ServiceUrls {
  databaseUrl: string;
  redisUrl: string;
  natsUrl: string;
  /** Stops containers this helper started, if any. */
  stop: () => Promise<void>;
}

const dockerEngineAvailable = (): boolean => {
  try {
    execFileSync('docker', ['info'], { stdio: 'ignore', timeout: 5_000 });
    return true;
  } catch {
    return false;
  }
};

/**
 * URLs of the Postgres, Redis and NATS the integration tests use: from `DATABASE_URL`, `REDIS_URL`
 * and `NATS_URL`, or, where one is missing and a Docker engine runs, from a testcontainer.
 */
export const resolveServiceUrls = async (env: NodeJS.ProcessEnv = process.env): Promise<ServiceUrls> => {
  const stops: Array<() => Promise<unknown>> = [];
  const missing = !env.DATABASE_URL || !env.REDIS_URL || !env.NATS_URL;
  let databaseUrl = env.DATABASE_URL;
  let redisUrl = env.REDIS_URL;
  let natsUrl = env.NATS_URL;
  if (missing) {
    if (!dockerEngineAvailable()) {
      throw new Error('set DATABASE_URL, REDIS_URL and NATS_URL, or run a Docker engine for testcontainers');
    }
    const { GenericContainer, Wait } = await import('testcontainers');
    if (!databaseUrl) {
      const pg = await new GenericContainer('postgres:15-alpine')
        .withEnvironment({ POSTGRES_HOST_AUTH_METHOD: 'trust', POSTGRES_DB: 'polymux' })
        .withExposedPorts(5432)
        .withWaitStrategy(Wait.forLogMessage(/ready to accept connections/, 2))
        .start();
      stops.push(() => pg.stop());
      databaseUrl = `postgres://postgres@${pg.getHost()}:${pg.getMappedPort(5432)}/polymux`;
    }
    if (!redisUrl) {
      const redis = await new GenericContainer('redis:7-alpine').withExposedPorts(6379).start();
      stops.push(() => redis.stop());
      redisUrl = `redis://${redis.getHost()}:${redis.getMappedPort(6379)}`;
    }
    if (!natsUrl) {
      const nats = await new GenericContainer('nats:2-alpine').withCommand(['-js']).withExposedPorts(4222).start();
      stops.push(() => nats.stop());
      natsUrl = `nats://${nats.getHost()}:${nats.getMappedPort(4222)}`;
    }
  }
  return {
    databaseUrl: databaseUrl as string,
    redisUrl: redisUrl as string,
    natsUrl: natsUrl as string,
    stop: async () => {
      await Promise.all(stops.map((stop) => stop()));
    },
  };
};
