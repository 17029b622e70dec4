import type { OnApplicationShutdown } from '@nestjs/common';
import { Inject, Module } from '@nestjs/common';
import type { PolymuxConfig } from '@polymux/config';
import { CONFIG } from '@polymux/config';

import type { ProviderAdapter } from './provider-adapter';
import { PROVIDER_ADAPTERS } from './provider-adapter';
import { createProviderAdapters } from './provider-adapters';

/** Provides `PROVIDER_ADAPTERS`, built with the configured upstream time limits, and closes their pools. */
@Module({
  providers: [
    {
      provide: PROVIDER_ADAPTERS,
      inject: [CONFIG],
      useFactory: (config: PolymuxConfig): ProviderAdapter[] => createProviderAdapters(config.upstream),
    },
  ],
  exports: [PROVIDER_ADAPTERS],
})
export class ProvidersModule implements OnApplicationShutdown {
  constructor(@Inject(PROVIDER_ADAPTERS) private readonly adapters: ProviderAdapter[]) {}

  async onApplicationShutdown(): Promise<void> {
    await Promise.all(this.adapters.map((adapter) => adapter.close()));
  }
}
