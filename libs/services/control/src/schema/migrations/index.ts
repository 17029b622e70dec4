import type { MigrationSet } from '@polymux/database';

import * as init from './1763712000000-Init';
import * as projectDataRetention from './1764633600000-ProjectDataRetention';
import * as catalogLayer from './1796300000000-CatalogLayer';
import * as routingPolicies from './1796400000000-RoutingPolicies';
import * as users from './1796900000000-Users';
import * as rateLimits from './1797100000000-RateLimits';
import * as roles from './1797200000000-Roles';
import * as keyScopes from './1797300000000-KeyScopes';
import * as sso from './1797600000000-Sso';
import * as invitations from './1797800000000-Invitations';
import * as keyLastUsed from './1798200000000-KeyLastUsed';

export const controlMigrations: MigrationSet = {
  '1763712000000-Init': init,
  '1764633600000-ProjectDataRetention': projectDataRetention,
  '1796300000000-CatalogLayer': catalogLayer,
  '1796400000000-RoutingPolicies': routingPolicies,
  '1796900000000-Users': users,
  '1797100000000-RateLimits': rateLimits,
  '1797200000000-Roles': roles,
  '1797300000000-KeyScopes': keyScopes,
  '1797600000000-Sso': sso,
  '1797800000000-Invitations': invitations,
  '1798200000000-KeyLastUsed': keyLastUsed,
};
