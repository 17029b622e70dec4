import { Module } from '@nestjs/common';
import type { PolymuxConfig } from '@polymux/config';
import { CONFIG } from '@polymux/config';

import { loadCatalog } from './catalog/catalog.loader';
import { RouterHandler } from './router.handler';
import { CATALOG, RouterService } from './router.service';

@Module({
  controllers: [RouterHandler],
  providers: [
    {
      provide: CATALOG,
      inject: [CONFIG],
      useFactory: (config: PolymuxConfig) => loadCatalog(config.catalog.file, config.catalog.variables),
    },
    RouterService,
  ],
})
export class RouterModule {}
