import type { SpanContext } from '@opentelemetry/api';
import type { Redis } from 'ioredis';

import type { SpanLinkStore } from './span-link.store';
import { decodeSpanContext, encodeSpanContext } from './span-link.store';

/** String with a TTL (after `REDIS_KEY_PREFIX`): a session call's span context as a `traceparent` value. */
export const spanLinkKey = (orgId: string, requestId: string) => `ingress:spanlink:${orgId}:${requestId}`;

/** The distributed store: one `SET … EX` per session call, one `GET` per call naming a parent. */
export class RedisSpanLinkStore implements SpanLinkStore {
  constructor(private readonly redis: Redis) {}

  async remember(orgId: string, requestId: string, context: SpanContext, ttlSeconds: number): Promise<void> {
    await this.redis.set(spanLinkKey(orgId, requestId), encodeSpanContext(context), 'EX', ttlSeconds);
  }

  async find(orgId: string, requestId: string): Promise<SpanContext | undefined> {
    return decodeSpanContext(await this.redis.get(spanLinkKey(orgId, requestId)));
  }
}
