import './instrument';

import { RouterModule } from '@polymux/router';
import { runService } from '@polymux/runtime';

runService({ name: 'router', modules: [RouterModule] });
