import './instrument';

import { AuditModule } from '@polymux/audit';
import { runService } from '@polymux/runtime';

runService({ name: 'audit', modules: [AuditModule] });
