import { Body, Controller, Delete, Get, HttpCode, Param, Put, Query, Req, UseFilters, UseGuards } from '@nestjs/common';
import { ErrorCode, PolicyScope, PolymuxException, RoutingPolicy } from '@polymux/contracts';
import { OpenAiErrorFilter, parseBody } from '@polymux/http';

import { AccessService } from '../access/access.service';
import { AdminAuthGuard, type AdminRequest, principalOf } from '../access/admin-auth.guard';
import { ApiContract } from '../openapi/api-contract';
import { Requires } from '../access/requires';
import { actorOf } from '../admin/admin.controller';
import { PageParams, inMemory, keysetOf, paginate } from '../pagination';
import type { StoredPolicy } from './routing-policy.repository';
import { RoutingPolicyService } from './routing-policy.service';

const view = (stored: StoredPolicy) => ({
  id: stored.id,
  scope: stored.scope,
  scopeId: stored.scope_id,
  policy: stored.policy,
  createdAt: stored.created_at.toISOString(),
  updatedAt: stored.updated_at.toISOString(),
});

const scopeOf = (scope: string): PolicyScope => {
  const parsed = PolicyScope.safeParse(scope);
  if (parsed.success) return parsed.data;
  throw new PolymuxException(ErrorCode.NotFound, `no such policy scope ${scope}: use org, team, project or key`, {
    param: 'scope',
  });
};

/**
 * Routing policies: `PUT`, `GET` and `DELETE /admin/v1/routing-policies/{scope}/{id}`, where scope
 * is `org`, `team`, `project` or `key`; `GET /admin/v1/routing-policies` lists them all.
 */
@Controller('admin/v1')
@UseGuards(AdminAuthGuard)
@UseFilters(OpenAiErrorFilter)
export class RoutingPolicyController {
  constructor(
    private readonly policies: RoutingPolicyService,
    private readonly access: AccessService,
  ) {}

  /** Every policy for the operator; a user the ones of scopes they may read. */
  @Get('routing-policies')
  @Requires('policy.read')
  @ApiContract({ summary: 'List the routing policies the caller may read', query: PageParams })
  async list(@Req() request: AdminRequest, @Query() query: unknown) {
    const principal = principalOf(request);
    const page = parseBody(PageParams, query);
    const readable = async (stored: StoredPolicy) =>
      principal.operator ||
      (await this.access.requireScope(principal, 'policy.read', stored.scope, stored.scope_id).then(
        () => true,
        () => false,
      ));
    const { rows, nextCursor } = await paginate(
      'routing-policies',
      page,
      inMemory(await this.policies.list(), keysetOf),
      keysetOf,
      async (policies) => {
        const shown = await Promise.all(policies.map(readable));
        return policies.filter((_, index) => shown[index]);
      },
    );
    return { data: rows.map(view), nextCursor };
  }

  @Put('routing-policies/:scope/:scopeId')
  @Requires('policy.write')
  @ApiContract({ summary: 'Set the routing policy of a scope', body: RoutingPolicy })
  async set(
    @Req() request: AdminRequest,
    @Param('scope') scope: string,
    @Param('scopeId') scopeId: string,
    @Body() body: unknown,
  ) {
    await this.access.requireScope(principalOf(request), 'policy.write', scopeOf(scope), scopeId);
    return view(await this.policies.set(actorOf(request), scopeOf(scope), scopeId, parseBody(RoutingPolicy, body)));
  }

  @Get('routing-policies/:scope/:scopeId')
  @Requires('policy.read')
  @ApiContract({ summary: 'Read the routing policy of a scope' })
  async get(@Req() request: AdminRequest, @Param('scope') scope: string, @Param('scopeId') scopeId: string) {
    await this.access.requireScope(principalOf(request), 'policy.read', scopeOf(scope), scopeId);
    return view(await this.policies.get(scopeOf(scope), scopeId));
  }

  @Delete('routing-policies/:scope/:scopeId')
  @HttpCode(200)
  @Requires('policy.write')
  @ApiContract({ summary: 'Remove the routing policy of a scope' })
  async delete(@Req() request: AdminRequest, @Param('scope') scope: string, @Param('scopeId') scopeId: string) {
    await this.access.requireScope(principalOf(request), 'policy.write', scopeOf(scope), scopeId);
    return view(await this.policies.delete(actorOf(request), scopeOf(scope), scopeId));
  }
}
