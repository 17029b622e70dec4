import { Controller, Get, Header, UseFilters } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { OpenAiErrorFilter } from '@polymux/http';

import { ApiContract } from './api-contract';
import { openApiDocument } from './openapi.document';

/**
 * `GET /admin/v1/openapi.json`: the admin API's OpenAPI 3.1 document, built once from the routes
 * the controllers declare. Unauthenticated: it describes the API, never an object in it.
 */
@Controller('admin/v1')
@UseFilters(OpenAiErrorFilter)
export class OpenApiController {
  private document: object | undefined;

  constructor(private readonly discovery: DiscoveryService) {}

  @Get('openapi.json')
  @Header('cache-control', 'no-cache')
  @ApiContract({ summary: 'This OpenAPI 3.1 document' })
  openApi(): object {
    this.document ??= openApiDocument(this.discovery.getControllers().map((wrapper) => wrapper.metatype));
    return this.document;
  }
}
