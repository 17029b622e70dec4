import type { DynamicModule, INestApplicationContext, OnApplicationShutdown, Type } from '@nestjs/common';
import { Logger, Module } from '@nestjs/common';
import { APP_FILTER, NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { PolymuxConfig } from '@polymux/config';
import { ConfigError, ConfigModule, loadConfig } from '@polymux/config';
import type { Bus } from '@polymux/messaging';
import { BusExceptionFilter, BusTransport, MessagingModule, createBus } from '@polymux/messaging';
import { HttpErrorFilter, errorWireForUrl, sendError, toErrorPayload } from '@polymux/http';
import { flushTelemetry } from '@polymux/telemetry';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';

export interface ServiceDefinition {
  /** Service name: queue group, log context and `OTEL_SERVICE_NAME` suffix. */
  name: string;
  /** The service's feature modules. */
  modules: Array<Type<unknown> | DynamicModule>;
  /** Port to serve HTTP controllers on; none for message-only services. */
  httpPort?: (config: PolymuxConfig) => number;
}

export interface RunningService {
  app: INestApplicationContext;
  config: PolymuxConfig;
  bus: Bus;
  url?: string;
  close: () => Promise<void>;
}

/** Exports the last spans on SIGTERM: Nest awaits this before the process exits. */
class TelemetryFlush implements OnApplicationShutdown {
  onApplicationShutdown(): Promise<void> {
    return flushTelemetry();
  }
}

const rootModule = (config: PolymuxConfig, bus: Bus, modules: ServiceDefinition['modules']): DynamicModule => {
  @Module({})
  class RootModule {}
  return {
    module: RootModule,
    // Redis is imported by the feature modules that use it (billing), not opened by every service.
    imports: [ConfigModule.forRoot(config), MessagingModule.forBus(bus), ...modules],
    providers: [{ provide: APP_FILTER, useClass: BusExceptionFilter }, TelemetryFlush],
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
  if (port === undefined) {
    // Message-only services: a Nest microservice on the bus, no HTTP server.
    const service = await NestFactory.createMicroservice(module, {
      strategy: new BusTransport(bus),
      logger: [...logLevels],
    });
    service.enableShutdownHooks();
    await service.listen();
    process.stdout.write(`polymux ${definition.name} ready\n`);
    return { app: service, config, bus, close: () => service.close() };
  }
  // Loaded only by the services that serve HTTP: message-only ones never load Fastify.
  const { FastifyAdapter } = await import('@nestjs/platform-fastify');
  const app = await NestFactory.create<NestFastifyApplication>(
    module,
    new FastifyAdapter({
      bodyLimit: config.http.maxBodyBytes,
      // The client address is the nearest one in X-Forwarded-For that no trusted proxy added.
      trustProxy: config.http.trustedProxies,
      // Above the longest id a route takes (a session id, 128): a route's own validation names a longer one.
      maxParamLength: 256,
      // What the router refuses before any route or filter runs (malformed URL, over-long path parameter).
      frameworkErrors: (error: FastifyError, request: FastifyRequest, reply: FastifyReply) =>
        sendError(reply, toErrorPayload(error), errorWireForUrl(request.url)),
    }),
    { logger: [...logLevels] },
  );
  app.enableShutdownHooks();
  // Also catches what Fastify raises before a route runs (bad JSON, body too large), in the format of the URL's API.
  app.useGlobalFilters(new HttpErrorFilter());
  app.connectMicroservice({ strategy: new BusTransport(bus) }, { inheritAppConfig: true });
  // Start-up work (migrations, hydration) completes before the first message is taken.
  await app.init();
  await app.startAllMicroservices();
  app.getHttpAdapter().get('/health', (_request, reply) => reply.send({ status: 'ok' }));

  await app.listen(port, config.http.host);
  const address = app.getHttpServer().address() as { port: number };
  const url = `http://127.0.0.1:${address.port}`;
  Logger.log(`${definition.name} listening on ${url}`, 'Polymux');
  // The launcher (`startStack`) and operators wait for this line.
  process.stdout.write(`polymux ${definition.name} ready ${url}\n`);
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
