import { Module } from '@nestjs/common';
import type { PolymuxConfig } from '@polymux/config';
import { CONFIG } from '@polymux/config';

import { loadCatalog } from './catalog.loader';
import { CatalogReloader } from './catalog.reloader';
import { CatalogSource } from './catalog.source';

/**
 * The model catalog of `POLYMUX_CATALOG_FILE` with the admin layer on top, loaded once per process
 * (once in the embedded mode, where router and executor share it) and kept current by `CatalogReloader`.
 */
@Module({
  providers: [
    {
      provide: CatalogSource,
      inject: [CONFIG],
      useFactory: (config: PolymuxConfig) =>
        new CatalogSource(loadCatalog(config.catalog.file, config.catalog.variables)),
    },
    CatalogReloader,
  ],
  exports: [CatalogSource, CatalogReloader],
})
export class CatalogModule {}
