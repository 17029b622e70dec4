import { Controller } from '@nestjs/common';
import type { ResponseOf } from '@polymux/contracts';
import { Subjects } from '@polymux/contracts';
import { OnRequest } from '@polymux/messaging';

import { CatalogLayerService } from './catalog-layer.service';

/** Answers router and executor replicas the admin layer, and executors the sealed credentials. */
@Controller()
export class CatalogLayerHandler {
  constructor(private readonly layer: CatalogLayerService) {}

  @OnRequest(Subjects.catalogLayer)
  catalogLayer(): Promise<ResponseOf<typeof Subjects.catalogLayer>> {
    return this.layer.layer();
  }

  @OnRequest(Subjects.sealedCredentials)
  sealedCredentials(): Promise<ResponseOf<typeof Subjects.sealedCredentials>> {
    return this.layer.sealedCredentials();
  }
}
