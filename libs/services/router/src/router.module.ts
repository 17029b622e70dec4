import { Module } from '@nestjs/common';
import { CatalogModule } from '@polymux/catalog';

import { CatalogHandler } from './catalog.handler';
import { RouterHandler } from './router.handler';
import { RouterService } from './router.service';

@Module({
  imports: [CatalogModule],
  controllers: [RouterHandler, CatalogHandler],
  providers: [RouterService],
})
export class RouterModule {}
