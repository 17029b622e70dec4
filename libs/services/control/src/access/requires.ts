import { SetMetadata } from '@nestjs/common';

import type { Permission } from './roles';

export const REQUIRES = 'polymux:requires';

/**
 * The permission an admin endpoint needs. The guard refuses a principal that holds it nowhere
 * (403); the handler then checks it on the object it touches (`AccessService.require*`). Every
 * admin endpoint names one (a test enumerates them); `null` marks one any principal may call.
 */
export const Requires = (permission: Permission | null) => SetMetadata(REQUIRES, permission);
