import { Controller, Get, Query, UseFilters, UseGuards } from '@nestjs/common';
import type { CatalogModelView } from '@polymux/contracts';
import { Subjects } from '@polymux/contracts';
import { OpenAiErrorFilter, parseBody } from '@polymux/http';
import { MessagingClient } from '@polymux/messaging';

import { AdminAuthGuard } from '../access/admin-auth.guard';
import { Requires } from '../access/requires';
import { ApiContract } from '../openapi/api-contract';
import { PageParams, inMemory, paginate } from '../pagination';
import { catalogModelView, pricingView } from './catalog-view.views';

/** Models are keyed by id alone (a catalog has no creation times): pages in id order. */
const keyOfModel = (model: CatalogModelView) => ({ at: '1970-01-01T00:00:00.000Z', id: model.id });

/**
 * `GET /admin/v1/catalog`: the catalog calls are routed and charged by (the file and the admin
 * layer merged, as a router serves it), each deployment with its prices and its health. Read from
 * a router (`router.catalog.get.v1`), which owns both.
 */
@Controller('admin/v1')
@UseGuards(AdminAuthGuard)
@UseFilters(OpenAiErrorFilter)
export class CatalogViewController {
  constructor(private readonly messaging: MessagingClient) {}

  @Get('catalog')
  @Requires('catalog.read')
  @ApiContract({
    summary: 'The effective catalog: models, charged prices, deployment health, the reference model',
    query: PageParams,
  })
  async catalog(@Query() query: unknown) {
    const page = parseBody(PageParams, query);
    const view = await this.messaging.request(Subjects.catalogView, {});
    const { rows, nextCursor } = await paginate('catalog', page, inMemory(view.models, keyOfModel), keyOfModel);
    const { reference } = view;
    return {
      data: rows.map(catalogModelView),
      nextCursor,
      revision: view.revision,
      reference: reference && { ...reference, pricing: pricingView(reference.pricing) },
    };
  }
}
