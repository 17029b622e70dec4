import { Body, Controller, Delete, Get, HttpCode, Param, Put, Req, UseFilters, UseGuards } from '@nestjs/common';
import { ErrorCode, PolymuxException, RateLimitScope, RateLimits } from '@polymux/contracts';
import { OpenAiErrorFilter, parseBody } from '@polymux/http';

import { AccessService } from '../access/access.service';
import { AdminAuthGuard, type AdminRequest, principalOf } from '../access/admin-auth.guard';
import { ApiContract } from '../openapi/api-contract';
import { Requires } from '../access/requires';
import { actorOf } from '../admin/admin.controller';
import type { StoredRateLimit } from './rate-limit.repository';
import { RateLimitService, limitsOf } from './rate-limit.service';

const view = (stored: StoredRateLimit) => ({
  id: stored.id,
  scope: stored.scope,
  scopeId: stored.scope_id,
  ...limitsOf(stored),
  createdAt: stored.created_at.toISOString(),
  updatedAt: stored.updated_at.toISOString(),
});

const scopeOf = (scope: string): RateLimitScope => {
  const parsed = RateLimitScope.safeParse(scope);
  if (parsed.success) return parsed.data;
  throw new PolymuxException(ErrorCode.NotFound, `no such rate-limit scope ${scope}: use org, team, project or key`, {
    param: 'scope',
  });
};

/** A body setting at least one limit (`DELETE` removes them all). */
const limitsIn = (body: unknown): RateLimits => {
  const limits = parseBody(RateLimits, body);
  if (Object.keys(limits).length === 0)
    throw new PolymuxException(ErrorCode.InvalidRequest, 'set at least one of rpm, tpm and maxConcurrent');
  return limits;
};

/**
 * Rate limits: `PUT`, `GET` and `DELETE /admin/v1/rate-limits/{scope}/{id}`, where scope is `org`,
 * `team`, `project` or `key`. `PUT` replaces the scope's limits (a limit left out is not limited).
 */
@Controller('admin/v1')
@UseGuards(AdminAuthGuard)
@UseFilters(OpenAiErrorFilter)
export class RateLimitController {
  constructor(
    private readonly limits: RateLimitService,
    private readonly access: AccessService,
  ) {}

  @Put('rate-limits/:scope/:scopeId')
  @Requires('policy.write')
  @ApiContract({ summary: 'Replace the rate limits of a scope', body: RateLimits })
  async set(
    @Req() request: AdminRequest,
    @Param('scope') scope: string,
    @Param('scopeId') scopeId: string,
    @Body() body: unknown,
  ) {
    await this.access.requireScope(principalOf(request), 'policy.write', scopeOf(scope), scopeId);
    return view(await this.limits.set(actorOf(request), scopeOf(scope), scopeId, limitsIn(body)));
  }

  @Get('rate-limits/:scope/:scopeId')
  @Requires('policy.read')
  @ApiContract({ summary: 'Read the rate limits of a scope' })
  async get(@Req() request: AdminRequest, @Param('scope') scope: string, @Param('scopeId') scopeId: string) {
    await this.access.requireScope(principalOf(request), 'policy.read', scopeOf(scope), scopeId);
    return view(await this.limits.get(scopeOf(scope), scopeId));
  }

  @Delete('rate-limits/:scope/:scopeId')
  @HttpCode(200)
  @Requires('policy.write')
  @ApiContract({ summary: 'Remove the rate limits of a scope' })
  async delete(@Req() request: AdminRequest, @Param('scope') scope: string, @Param('scopeId') scopeId: string) {
    await this.access.requireScope(principalOf(request), 'policy.write', scopeOf(scope), scopeId);
    return view(await this.limits.delete(actorOf(request), scopeOf(scope), scopeId));
  }
}
