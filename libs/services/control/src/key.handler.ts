import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import type { RequestOf, ResponseOf } from '@polymux/contracts';
import { Subjects } from '@polymux/contracts';
import { OnRequest } from '@polymux/messaging';

import { ControlService } from './control.service';

@Controller()
export class KeyHandler {
  constructor(private readonly control: ControlService) {}

  @OnRequest(Subjects.resolveKey)
  async resolve(
    @Payload() payload: RequestOf<typeof Subjects.resolveKey>,
  ): Promise<ResponseOf<typeof Subjects.resolveKey>> {
    return { key: await this.control.resolveKey(payload.keyHash) };
  }
}
