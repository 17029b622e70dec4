import type { DynamicModule, OnApplicationShutdown } from '@nestjs/common';
import { Inject, Module } from '@nestjs/common';
import type { PolymuxConfig } from '@polymux/config';
import { CONFIG } from '@polymux/config';
import type { Kysely } from 'kysely';

import { acquireDatabase, releaseDatabase } from './connection';
import type { MigrationSet } from './migrate';
import { migrateToLatest } from './migrate';

export interface ServiceDatabaseOptions {
  /** Postgres schema the service owns; no other service reads it. */
  schema: string;
  migrations: MigrationSet;
  /** Injection token the service's repositories ask for. */
  token: symbol;
}

class DatabaseLifecycle implements OnApplicationShutdown {
  constructor(@Inject(CONFIG) private readonly config: PolymuxConfig) {}

  async onApplicationShutdown(): Promise<void> {
    await releaseDatabase(this.config.database);
  }
}

/** A service's typed Kysely handle on its own schema, migrated before the service starts. */
@Module({})
export class DatabaseModule {
  static forService(options: ServiceDatabaseOptions): DynamicModule {
    return {
      module: DatabaseModule,
      providers: [
        {
          provide: options.token,
          inject: [CONFIG],
          useFactory: async (config: PolymuxConfig): Promise<Kysely<unknown>> => {
            const root = await acquireDatabase(config.database);
            await migrateToLatest(root, options.schema, options.migrations);
            return root.withSchema(options.schema);
          },
        },
        DatabaseLifecycle,
      ],
      exports: [options.token],
    };
  }
}
