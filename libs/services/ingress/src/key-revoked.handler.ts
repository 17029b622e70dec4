import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import type { PayloadOf } from '@polymux/contracts';
import { Subjects } from '@polymux/contracts';
import { OnEvent } from '@polymux/messaging';

import { ApiKeyCache } from './auth/api-key.cache';

/**
 * Every ingress replica hears every revocation and forgets the key at once, every change of a key
 * (scopes, limits, a rotation), after which it refetches the key, and every policy change.
 */
@Controller()
export class KeyRevokedHandler {
  constructor(private readonly keys: ApiKeyCache) {}

  @OnEvent(Subjects.keyRevoked, 'ingress')
  revoked(@Payload() event: PayloadOf<typeof Subjects.keyRevoked>): void {
    this.keys.forget(event.keyHash);
    if (event.previousKeyHash) this.keys.forget(event.previousKeyHash);
  }

  @OnEvent(Subjects.keyChanged, 'ingress')
  changed(@Payload() event: PayloadOf<typeof Subjects.keyChanged>): void {
    this.keys.drop(event.keyHashes);
  }

  @OnEvent(Subjects.policiesChanged, 'ingress')
  policiesChanged(): void {
    this.keys.forgetAll();
  }
}
