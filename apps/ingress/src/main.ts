import './instrument';

import { IngressModule } from '@polymux/ingress';
import { runService } from '@polymux/runtime';

runService({ name: 'ingress', modules: [IngressModule], httpPort: (config) => config.http.port });
