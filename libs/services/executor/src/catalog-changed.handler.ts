import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { CatalogReloader } from '@polymux/catalog';
import type { PayloadOf } from '@polymux/contracts';
import { Subjects } from '@polymux/contracts';
import { OnEvent } from '@polymux/messaging';

import { CredentialStore } from './credential.store';

/** Every executor replica reloads the admin catalog layer, and the credentials it names, on every change. */
@Controller()
export class CatalogChangedHandler {
  constructor(
    private readonly reloader: CatalogReloader,
    credentials: CredentialStore,
  ) {
    reloader.beforeApply(() => credentials.reload());
  }

  @OnEvent(Subjects.catalogChanged, 'executor')
  changed(@Payload() event: PayloadOf<typeof Subjects.catalogChanged>): Promise<void> {
    return this.reloader.reload(event.revision);
  }
}
