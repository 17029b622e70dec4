import type { DynamicModule, INestApplication, Type } from '@nestjs/common';
import { Logger, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { PolymuxConfig } from '@polymux/config';
import { ConfigError, ConfigModule, loadConfig } from '@polymux/config';
import type { Bus } from '@polymux/messaging';
import { BusTransport, MessagingModule, createBus } from '@polymux/messaging';
import { RedisModule } from '@polymux/redis';

export interface ServiceDefinition {
  /** Service name: queue group, log context and `OTEL_SERVICE_NAME` suffix. */
  name: string;
  /** The service's feature modules. */
  modules: Array<Type<unknown> | DynamicModule>;
  /** Port to serve HTTP controllers on; none for message-only services. */
  httpPort?: (config: PolymuxConfig) => number;
}

export interface RunningService {
  app: INestApplication;
  config: PolymuxConfig;
  bus: Bus;
  url?: string;
  close: () => Promise<void>;
}

const rootModule = (config: PolymuxConfig, bus: Bus, modules: ServiceDefinition['modules']): DynamicModule => {
  @Module({})
  class RootModule {}
  return {
    module: RootModule,
    imports: [ConfigModule.forRoot(config), MessagingModule.forBus(bus), RedisModule.forRoot(), ...modules],
  };
};

/**
 * Starts one service (or, in the embedded mode, all of them) the same way everywhere: validated
 * config, the configured bus, Nest with the bus transport and, when it serves HTTP, Fastify.
 */
export const startService = async (
  definition: ServiceDefinition,
  overrides: Parameters<typeof loadConfig>[1] = {},
): Promise<RunningService> => {
  const config = loadConfig(definition.name, overrides);
  const bus = await createBus(config);
  const port = definition.httpPort?.(config);
  const module = rootModule(config, bus, definition.modules);
  const logger = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'] as const;
  const logLevels = logger.slice(0, logger.indexOf(config.logLevel) + 1);
  const app =
    port === undefined
      ? await NestFactory.create(module, { logger: [...logLevels], bufferLogs: false })
      : await NestFactory.create<NestFastifyApplication>(
          module,
          new FastifyAdapter({ bodyLimit: config.http.maxBodyBytes, trustProxy: true }),
          { logger: [...logLevels], rawBody: false },
        );
  app.enableShutdownHooks();
  app.connectMicroservice({ strategy: new BusTransport(bus) }, { inheritAppConfig: true });
  await app.startAllMicroservices();
  let url: string | undefined;
  if (port !== undefined) {
    (app as NestFastifyApplication).getHttpAdapter().get('/health', (_request, reply) => reply.send({ status: 'ok' }));
    await app.listen(port, config.http.host);
    const address = app.getHttpServer().address() as { port: number };
    url = `http://127.0.0.1:${address.port}`;
    Logger.log(`${definition.name} listening on ${url}`, 'Polymux');
  } else {
    await app.init();
  }
  // The launcher (`startStack`) and operators wait for this line.
  process.stdout.write(`polymux ${definition.name} ready${url ? ` ${url}` : ''}\n`);
  return { app, config, bus, url, close: () => app.close() };
};

/** `main.ts` entry: starts the service, or prints every configuration problem and exits 1. */
export const runService = (definition: ServiceDefinition): void => {
  startService(definition).catch((error: unknown) => {
    if (error instanceof ConfigError) console.error(error.message);
    else console.error(`${definition.name} failed to start:`, error);
    process.exit(1);
  });
};
