import { Module } from '@nestjs/common';

import { ApiKeyCache } from './auth/api-key.cache';
import { CallEvents } from './call/call-events';
import { CallService } from './call/call.service';
import { ChatCompletionsController } from './chat-completions.controller';
import { EmbeddingsController } from './embeddings.controller';
import { EmbeddingsService } from './embeddings/embeddings.service';
import { KeyRevokedHandler } from './key-revoked.handler';
import { MessagesController } from './messages.controller';
import { ModelsController } from './models.controller';
import { ResponsesController } from './openai-responses/responses.controller';
import { RoutingExplainController } from './routing-explain.controller';

@Module({
  controllers: [
    ChatCompletionsController,
    ResponsesController,
    MessagesController,
    EmbeddingsController,
    ModelsController,
    RoutingExplainController,
    KeyRevokedHandler,
  ],
  providers: [ApiKeyCache, CallService, CallEvents, EmbeddingsService],
})
export class IngressModule {}
