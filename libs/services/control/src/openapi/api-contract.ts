import { SetMetadata } from '@nestjs/common';
import type { z } from 'zod';

export const API_CONTRACT = 'polymux:api-contract';

/** What an admin endpoint's OpenAPI operation says beyond its route and permission. */
export interface Contract {
  summary: string;
  /** The JSON body the handler parses (`parseBody`). */
  body?: z.ZodType;
  /** The query the handler parses; a query with `cursor` makes the answer a page. */
  query?: z.ZodType;
  /** The media types of an answer that is not a JSON object (a streamed export); it is then no page. */
  answers?: readonly string[];
}

/**
 * Declares an endpoint's contract for `GET /admin/v1/openapi.json`; every admin route carries one
 * (the OpenAPI e2e test fails on a route without).
 */
export const ApiContract = (contract: Contract) => SetMetadata(API_CONTRACT, contract);
