import { Module } from '@nestjs/common';
import { CatalogModule } from '@polymux/catalog';

import { RouterHandler } from './router.handler';
import { RouterService } from './router.service';

@Module({
  imports: [CatalogModule],
  controllers: [RouterHandler],
  providers: [RouterService],
})
export class RouterModule {}
