import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import type { InvokeFrame, InvokeRequest } from '@polymux/contracts';
import { Subjects } from '@polymux/contracts';
import { BusContext, OnRequest } from '@polymux/messaging';
import type { Observable } from 'rxjs';

import { InvokeService } from './invoke.service';

/** `executor.invoke.v1`: one upstream call, answered as frames; the caller's cancel aborts it. */
@Controller()
export class InvokeHandler {
  constructor(private readonly invoker: InvokeService) {}

  @OnRequest(Subjects.invoke)
  invoke(@Payload() invocation: InvokeRequest, @Ctx() bus: BusContext): Observable<InvokeFrame> {
    return this.invoker.invoke(invocation, bus.signal);
  }
}
