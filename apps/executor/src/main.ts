import './instrument';

import { ExecutorModule } from '@polymux/executor';
import { runService } from '@polymux/runtime';

runService({ name: 'executor', modules: [ExecutorModule] });
