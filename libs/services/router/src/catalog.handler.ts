import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { CatalogReloader, CatalogSource } from '@polymux/catalog';
import type { PayloadOf, RequestOf, ResponseOf } from '@polymux/contracts';
import { Subjects } from '@polymux/contracts';
import { OnEvent, OnRequest } from '@polymux/messaging';

/** The router's side of the admin catalog layer: checks a proposed layer, reloads on every change. */
@Controller()
export class CatalogHandler {
  constructor(
    private readonly source: CatalogSource,
    private readonly reloader: CatalogReloader,
  ) {}

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
