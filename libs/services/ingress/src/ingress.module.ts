import { Module } from '@nestjs/common';
import type { Redis } from '@polymux/redis';
import { REDIS, RedisModule } from '@polymux/redis';

import { ApiKeyCache } from './auth/api-key.cache';
import { Authenticator } from './auth/authenticator';
import { FailedAuthThrottle } from './auth/failed-auth.throttle';
import { KeyUseTracker } from './auth/key-use.tracker';
import { CallEvents } from './call/call-events';
import { CallService } from './call/call.service';
import { ChatCompletionsController } from './chat-completions.controller';
import { EmbeddingsController } from './embeddings.controller';
import { EmbeddingsService } from './embeddings/embeddings.service';
import { KeyRevokedHandler } from './key-revoked.handler';
import { MessagesController } from './messages.controller';
import { ModelsController } from './models.controller';
import { MemoryRateLimitStore } from './rate-limits/memory-rate-limit.store';
import type { RateLimitStore } from './rate-limits/rate-limit.store';
import { RATE_LIMIT_STORE } from './rate-limits/rate-limit.store';
import { RateLimiter } from './rate-limits/rate-limiter';
import { RedisRateLimitStore } from './rate-limits/redis-rate-limit.store';
import { ResponsesController } from './openai-responses/responses.controller';
import { RoutingExplainController } from './routing-explain.controller';
import { MemorySpanLinkStore } from './sessions/memory-span-link.store';
import { RedisSpanLinkStore } from './sessions/redis-span-link.store';
import { SessionTraces } from './sessions/session-traces';
import type { SpanLinkStore } from './sessions/span-link.store';
import { SPAN_LINK_STORE } from './sessions/span-link.store';

@Module({
  // Rate limits, failed-authentication counts and session span links are shared by every replica
  // (Redis), or in memory (embedded).
  imports: [RedisModule.forRoot()],
  controllers: [
    ChatCompletionsController,
    ResponsesController,
    MessagesController,
    EmbeddingsController,
    ModelsController,
    RoutingExplainController,
    KeyRevokedHandler,
  ],
  providers: [
    {
      provide: RATE_LIMIT_STORE,
      inject: [REDIS],
      useFactory: (redis: Redis | null): RateLimitStore =>
        redis ? new RedisRateLimitStore(redis) : new MemoryRateLimitStore(),
    },
    {
      provide: SPAN_LINK_STORE,
      inject: [REDIS],
      useFactory: (redis: Redis | null): SpanLinkStore =>
        redis ? new RedisSpanLinkStore(redis) : new MemorySpanLinkStore(),
    },
    SessionTraces,
    ApiKeyCache,
    FailedAuthThrottle,
    KeyUseTracker,
    Authenticator,
    RateLimiter,
    CallService,
    CallEvents,
    EmbeddingsService,
  ],
})
export class IngressModule {}
