import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { DatabaseModule } from '@polymux/database';

import { AccessService } from './access/access.service';
import { AdminAuthGuard } from './access/admin-auth.guard';
import { MeController } from './access/me.controller';
import { MembersService } from './access/members.service';
import { RolesRepository } from './access/roles.repository';
import { AdminController } from './admin/admin.controller';
import { AuditController } from './audit/audit.controller';
import { AuditTrailService } from './audit/audit-trail.service';
import { BootstrapService } from './bootstrap.service';
import { BudgetController } from './budgets/budget.controller';
import { BudgetService } from './budgets/budget.service';
import { CatalogLayerController } from './catalog/catalog-layer.controller';
import { CatalogViewController } from './catalog/catalog-view.controller';
import { CatalogLayerHandler } from './catalog/catalog-layer.handler';
import { CatalogLayerRepository } from './catalog/catalog-layer.repository';
import { CatalogLayerService } from './catalog/catalog-layer.service';
import { ConsoleAssets } from './console/console-assets';
import { ConsoleController } from './console/console.controller';
import { CONTROL_DB, ControlRepository } from './control.repository';
import { ControlService } from './control.service';
import { CreditsController } from './credits/credits.controller';
import { InvitationAcceptController } from './invitations/invitation-accept.controller';
import { InvitationController } from './invitations/invitation.controller';
import { InvitationRepository } from './invitations/invitation.repository';
import { InvitationService } from './invitations/invitation.service';
import { KeyHandler } from './key.handler';
import { KeyController } from './keys/key.controller';
import { OpenApiController } from './openapi/openapi.controller';
import { PlanController } from './plans/plan.controller';
import { PlanService } from './plans/plan.service';
import { RoutingPolicyController } from './policies/routing-policy.controller';
import { KeyService } from './keys/key.service';
import { RoutingPolicyRepository } from './policies/routing-policy.repository';
import { RoutingPolicyService } from './policies/routing-policy.service';
import { RateLimitController } from './rate-limits/rate-limit.controller';
import { RateLimitRepository } from './rate-limits/rate-limit.repository';
import { RateLimitService } from './rate-limits/rate-limit.service';
import { controlMigrations } from './schema/migrations';
import { SessionController } from './sessions/session.controller';
import { SessionService } from './sessions/session.service';
import { OidcClient } from './sso/oidc.client';
import { SsoSessionService } from './sso/sso-session.service';
import { SsoController } from './sso/sso.controller';
import { SsoRepository } from './sso/sso.repository';
import { SsoService } from './sso/sso.service';
import { StatementController } from './statements/statement.controller';
import { StatementService } from './statements/statement.service';
import { UsageController } from './usage/usage.controller';
import { UsageService } from './usage/usage.service';
import { WebhookController } from './webhooks/webhook.controller';
import { WebhookService } from './webhooks/webhook.service';

@Module({
  imports: [
    DatabaseModule.forService({ schema: 'control', migrations: controlMigrations, token: CONTROL_DB }),
    DiscoveryModule,
  ],
  controllers: [
    AdminController,
    KeyController,
    AuditController,
    CreditsController,
    CatalogLayerController,
    CatalogViewController,
    RoutingPolicyController,
    RateLimitController,
    BudgetController,
    PlanController,
    UsageController,
    SessionController,
    StatementController,
    WebhookController,
    InvitationController,
    InvitationAcceptController,
    SsoController,
    MeController,
    OpenApiController,
    ConsoleController,
    KeyHandler,
    CatalogLayerHandler,
  ],
  providers: [
    ControlRepository,
    ControlService,
    KeyService,
    AuditTrailService,
    AdminAuthGuard,
    AccessService,
    RolesRepository,
    MembersService,
    InvitationRepository,
    InvitationService,
    BootstrapService,
    CatalogLayerRepository,
    CatalogLayerService,
    RoutingPolicyRepository,
    RoutingPolicyService,
    RateLimitRepository,
    RateLimitService,
    BudgetService,
    PlanService,
    UsageService,
    SessionService,
    StatementService,
    WebhookService,
    OidcClient,
    SsoRepository,
    SsoSessionService,
    SsoService,
    ConsoleAssets,
  ],
})
export class ControlModule {}
