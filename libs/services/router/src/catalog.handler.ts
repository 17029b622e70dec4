import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { CatalogReloader, CatalogSource } from '@polymux/catalog';
import type { PayloadOf, RequestOf, ResponseOf } from '@polymux/contracts';
import { Subjects } from '@polymux/contracts';
import { OnEvent, OnRequest } from '@polymux/messaging';

import { catalogView } from './catalog-view';
import { HealthService } from './health/health.service';

/**
 * The router's side of the admin catalog: checks a proposed layer, reloads on every change, and
 * answers the effective catalog with its deployments' health.
 */
@Controller()
export class CatalogHandler {
  constructor(
    private readonly source: CatalogSource,
    private readonly reloader: CatalogReloader,
    private readonly health: HealthService,
  ) {}

  @OnRequest(Subjects.catalogView)
  async view(): Promise<ResponseOf<typeof Subjects.catalogView>> {
    const catalog = this.source.current;
    const ids = catalog.file.models.flatMap((model) => model.deployments.map((deployment) => deployment.id));
    return catalogView(catalog, this.source.revision, await this.health.snapshot(ids));
  }

  @OnRequest(Subjects.checkCatalogLayer)
  check(
    @Payload() entries: RequestOf<typeof Subjects.checkCatalogLayer>,
  ): ResponseOf<typeof Subjects.checkCatalogLayer> {
    return { problems: this.source.check(entries) };
  }

  @OnEvent(Subjects.catalogChanged, 'router')
  changed(@Payload() event: PayloadOf<typeof Subjects.catalogChanged>): Promise<void> {
    return this.reloader.reload(event.revision);
  }
}
