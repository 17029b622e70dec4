import type { DynamicModule } from '@nestjs/common';
import { Global, Module } from '@nestjs/common';

import type { PolymuxConfig } from './config';

export const CONFIG = Symbol('polymux.config');

@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: PolymuxConfig): DynamicModule {
    return { module: ConfigModule, providers: [{ provide: CONFIG, useValue: config }], exports: [CONFIG] };
  }
}
