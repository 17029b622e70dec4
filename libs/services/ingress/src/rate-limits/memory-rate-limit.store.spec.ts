import { MemoryRateLimitStore } from './memory-rate-limit.store';
import { describeRateLimitStore } from './rate-limit-store.contract';

describeRateLimitStore('memory', () => new MemoryRateLimitStore());
