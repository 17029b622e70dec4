import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import type { PayloadOf } from '@polymux/contracts';
import { Subjects } from '@polymux/contracts';
import { OnEvent } from '@polymux/messaging';

import { ApiKeyCache } from './auth/api-key.cache';

/** Every ingress replica hears every revocation and forgets the key at once, and every policy change. */
@Controller()
export class KeyRevokedHandler {
  constructor(private readonly keys: ApiKeyCache) {}

  @OnEvent(Subjects.keyRevoked, 'ingress')
  revoked(@Payload() event: PayloadOf<typeof Subjects.keyRevoked>): void {
    this.keys.forget(event.keyHash);
  }

  @OnEvent(Subjects.policiesChanged, 'ingress')
  policiesChanged(): void {
    this.keys.forgetAll();
  }
}
