import { execFileSync } from 'node:child_process';

export interface ServiceUrls {
  databaseUrl: string;
  redisUrl: string;
  natsUrl: string;
  /** Stops containers this helper started, if any. */
  stop: () => Promise<void>;
}

/** The local services on their standard ports, used when nothing else is named. */
const LOCAL = {
  databaseUrl: 'postgres://postgres@127.0.0.1:5432/polymux_test',
  redisUrl: 'redis://127.0.0.1:6379',
  natsUrl: 'nats://127.0.0.1:4222',
};

const dockerEngineAvailable = (): boolean => {
  try {
    execFileSync('docker', ['info'], { stdio: 'ignore', timeout: 5_000 });
    return true;
  } catch {
    return false;
  }
};

/**
 * URLs of the Postgres, Redis and NATS the integration tests use: `DATABASE_URL`, `REDIS_URL` and
 * `NATS_URL` where set; for any that is missing, a testcontainer where a Docker engine runs, else the
 * local service on its standard port.
 */
export const resolveServiceUrls = async (env: NodeJS.ProcessEnv = process.env): Promise<ServiceUrls> => {
  const stops: Array<() => Promise<unknown>> = [];
  let databaseUrl = env.DATABASE_URL;
  let redisUrl = env.REDIS_URL;
  let natsUrl = env.NATS_URL;
  if ((!databaseUrl || !redisUrl || !natsUrl) && dockerEngineAvailable()) {
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
    databaseUrl: databaseUrl ?? LOCAL.databaseUrl,
    redisUrl: redisUrl ?? LOCAL.redisUrl,
    natsUrl: natsUrl ?? LOCAL.natsUrl,
    stop: async () => {
      await Promise.all(stops.map((stop) => stop()));
    },
  };
};

/**
 * Configuration overrides for a service under an integration test: the resolved backends (the
 * global setup has put them in the environment) and a namespace of its own for NATS subjects,
 * streams, durable consumers and Redis keys, so concurrent test files never see each other.
 */
export const isolatedServiceEnv = (namespace: string) =>
  ({
    POLYMUX_MODE: 'distributed',
    DATABASE_URL: process.env.DATABASE_URL ?? LOCAL.databaseUrl,
    REDIS_URL: process.env.REDIS_URL ?? LOCAL.redisUrl,
    NATS_URL: process.env.NATS_URL ?? LOCAL.natsUrl,
    NATS_SUBJECT_PREFIX: namespace,
    REDIS_KEY_PREFIX: `${namespace}:`,
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
  }) as const;
