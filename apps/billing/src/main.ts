import './instrument';

import { BillingModule } from '@polymux/billing';
import { runService } from '@polymux/runtime';

runService({ name: 'billing', modules: [BillingModule] });
