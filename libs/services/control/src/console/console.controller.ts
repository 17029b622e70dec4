import { Controller, Get, Header, Inject, UseFilters } from '@nestjs/common';
import type { PolymuxConfig } from '@polymux/config';
import { CONFIG } from '@polymux/config';
import { OpenAiErrorFilter } from '@polymux/http';

import { ApiContract } from '../openapi/api-contract';

/**
 * `GET /admin/v1/console/config`: what the console needs before anyone signs in — whether SSO is
 * on, where the data plane is, and where traces are viewed. Unauthenticated: it names no object and no secret.
 */
@Controller('admin/v1/console')
@UseFilters(OpenAiErrorFilter)
export class ConsoleController {
  constructor(@Inject(CONFIG) private readonly config: PolymuxConfig) {}

  @Get('config')
  @Header('cache-control', 'no-cache')
  @ApiContract({
    summary: 'What the console needs before sign-in: SSO on or off, the data plane address, the Jaeger UI',
  })
  consoleConfig() {
    return {
      object: 'console.config',
      mode: this.config.mode,
      sso: this.config.sso !== undefined,
      /** `POLYMUX_PUBLIC_URL`; null: the console's origin (embedded) or its host on `dataPlanePort`. */
      publicUrl: this.config.http.publicUrl ?? null,
      dataPlanePort: this.config.http.port,
      /** `POLYMUX_JAEGER_URL` and ingress's service name there; null: the console links no trace. */
      jaeger: this.config.http.jaeger ?? null,
    };
  }
}
