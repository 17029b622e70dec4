import type { DynamicModule, OnApplicationShutdown } from '@nestjs/common';
import { Global, Inject, Module } from '@nestjs/common';
import type { PolymuxConfig } from '@polymux/config';
import { NatsNames, isServiceName } from '@polymux/contracts';

import type { Bus } from './bus/bus';
import { MemoryBus } from './bus/memory.bus';
import { NatsBus } from './bus/nats.bus';
import { MessagingClient } from './messaging.client';
import { ensureStreams } from './streams';
import { BUS } from './tokens';

/** Connects the bus the configuration names and provisions the durable streams. */
export const createBus = async (config: PolymuxConfig): Promise<Bus> => {
  const { natsUrl, subjectPrefix, user, password } = config.bus;
  const service = isServiceName(config.service) ? config.service : undefined;
  const bus =
    config.bus.kind === 'nats'
      ? await NatsBus.connect(natsUrl, `polymux-${config.service}`, subjectPrefix, {
          user,
          password,
          inboxPrefix: service && NatsNames.inboxPrefix(subjectPrefix, service),
          maxDeliveries: config.bus.maxDeliveries,
          maxMessageBytes: config.bus.maxMessageBytes,
        })
      : new MemoryBus({ maxDeliveries: config.bus.maxDeliveries });
  await ensureStreams(bus, service);
  return bus;
};

@Global()
@Module({})
export class MessagingModule implements OnApplicationShutdown {
  constructor(@Inject(BUS) private readonly bus: Bus) {}

  /** Provides the given bus and a `MessagingClient` over it to every module. */
  static forBus(bus: Bus): DynamicModule {
    return {
      module: MessagingModule,
      providers: [{ provide: BUS, useValue: bus }, MessagingClient],
      exports: [BUS, MessagingClient],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.bus.close();
  }
}
