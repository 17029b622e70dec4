import './instrument';

import { ControlModule } from '@polymux/control';
import { runService } from '@polymux/runtime';

runService({ name: 'control', modules: [ControlModule], httpPort: (config) => config.http.controlPort });
