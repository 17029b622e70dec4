import { Module } from '@nestjs/common';
import type { PolymuxConfig } from '@polymux/config';
import { CONFIG } from '@polymux/config';

import { Catalog } from './catalog';
import { loadCatalog } from './catalog.loader';

/** The model catalog of `POLYMUX_CATALOG_FILE`, loaded once per process (once in the embedded mode). */
@Module({
  providers: [
    {
      provide: Catalog,
      inject: [CONFIG],
      useFactory: (config: PolymuxConfig) => loadCatalog(config.catalog.file, config.catalog.variables),
    },
  ],
  exports: [Catalog],
})
export class CatalogModule {}
