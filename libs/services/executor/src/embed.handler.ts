import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import type { EmbedRequest, EmbeddingResponse } from '@polymux/contracts';
import { Subjects } from '@polymux/contracts';
import { BusContext, OnRequest } from '@polymux/messaging';

import { EmbedService } from './embed.service';

/** `executor.embed.v1`: one upstream embeddings call, answered once. */
@Controller()
export class EmbedHandler {
  constructor(private readonly embedder: EmbedService) {}

  @OnRequest(Subjects.embed)
  embed(@Payload() request: EmbedRequest, @Ctx() bus: BusContext): Promise<EmbeddingResponse> {
    return this.embedder.embed(request, bus.signal);
  }
}
