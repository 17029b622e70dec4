import './instrument';

import { ClassifierModule } from '@polymux/classifier';
import { runService } from '@polymux/runtime';

runService({ name: 'classifier', modules: [ClassifierModule] });
