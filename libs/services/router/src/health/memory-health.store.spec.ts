import { describeHealthStore } from './health-store.contract';
import { MemoryHealthStore } from './memory-health.store';

describeHealthStore('memory', () => new MemoryHealthStore());
