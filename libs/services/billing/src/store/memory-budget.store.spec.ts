import { describeBudgetStore } from './budget-store.contract';
import { MemoryBudgetStore } from './memory-budget.store';

describeBudgetStore('memory', () => new MemoryBudgetStore());
