import { describeBalanceStore } from './balance-store.contract';
import { MemoryBalanceStore } from './memory-balance.store';

describeBalanceStore('memory', () => new MemoryBalanceStore());
