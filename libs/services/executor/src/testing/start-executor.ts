import type { DynamicModule } from '@nestjs/common';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ConfigModule, loadConfig } from '@polymux/config';
import { BusTransport, MessagingModule, createBus } from '@polymux/messaging';

import { ExecutorModule } from '../executor.module';

/**
 * Runs the executor as its own Nest microservice over the configured bus, as `startService` does
 * for a service without HTTP. Tests use it while `startService` needs an HTTP driver for
 * message-only services.
 */
export const startExecutor = async (overrides: Parameters<typeof loadConfig>[1]) => {
  const config = loadConfig('executor', overrides);
  const bus = await createBus(config);
  @Module({})
  class ExecutorTestRoot {}
  const root: DynamicModule = {
    module: ExecutorTestRoot,
    imports: [ConfigModule.forRoot(config), MessagingModule.forBus(bus), ExecutorModule],
  };
  const app = await NestFactory.createMicroservice(root, { strategy: new BusTransport(bus), logger: ['error'] });
  await app.listen();
  return { config, close: () => app.close() };
};
