import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Patch,
  Post,
  Query,
  Req,
  UseFilters,
  UseGuards,
} from '@nestjs/common';
import { ErrorCode, PolymuxException } from '@polymux/contracts';
import { OpenAiErrorFilter, parseBody } from '@polymux/http';

import { AccessService, visible } from '../access/access.service';
import { AdminAuthGuard, type AdminRequest, principalOf } from '../access/admin-auth.guard';
import { ApiContract } from '../openapi/api-contract';
import { Requires } from '../access/requires';
import { actorOf } from '../admin/admin.controller';
import { CreateKey, KeyListParams, RotateKey, UpdateKey } from '../admin/admin.dto';
import { keyView } from '../admin/admin.views';
import { ControlService } from '../control.service';
import { keysetOf, paginate } from '../pagination';
import { RateLimitService } from '../rate-limits/rate-limit.service';
import { KeyService } from './key.service';

/**
 * API keys of a project: service keys, and personal keys of a user (`userId`). A developer manages
 * only their own personal keys; operator keys (`admin`) only the operator creates.
 */
@Controller('admin/v1')
@UseGuards(AdminAuthGuard)
@UseFilters(OpenAiErrorFilter)
export class KeyController {
  constructor(
    private readonly control: ControlService,
    private readonly access: AccessService,
    private readonly rateLimits: RateLimitService,
    private readonly keys: KeyService,
  ) {}

  /** The only response that ever contains the key's secret. */
  @Post('projects/:projectId/keys')
  @Requires('key.write')
  @ApiContract({ summary: 'Create an API key (the only answer with its secret)', body: CreateKey })
  async createKey(@Req() request: AdminRequest, @Param('projectId') projectId: string, @Body() body: unknown) {
    const principal = principalOf(request);
    const project = await this.access.requireProject(principal, 'project.read', projectId);
    const { rpm, tpm, maxConcurrent, ...options } = parseBody(CreateKey, body);
    const target = { orgId: project.org_id, teamId: project.team_id, ownerUserId: options.userId ?? null };
    this.access.require(principal, 'key.write', target, `project ${projectId}`);
    if (options.admin && !principal.operator)
      throw new PolymuxException(ErrorCode.Forbidden, 'only the instance operator creates operator keys', {
        param: 'admin',
      });
    if (options.admin && options.userId)
      throw new PolymuxException(ErrorCode.InvalidRequest, 'an operator key is a service key: drop userId', {
        param: 'admin',
      });
    const requested = {
      ...(rpm === undefined ? {} : { rpm }),
      ...(tpm === undefined ? {} : { tpm }),
      ...(maxConcurrent === undefined ? {} : { maxConcurrent }),
    };
    // The limits are stored after the key, and recorded with its creation.
    const { key, secret } = await this.control.createKey(actorOf(request), projectId, {
      ...options,
      limits: requested,
    });
    const limits = await this.rateLimits.setForNewKey(key.id, requested);
    return { ...keyView(key, limits), key: secret };
  }

  /** The keys the caller may see: all of the project's, or (a developer) their own. */
  @Get('projects/:projectId/keys')
  @Requires('key.read')
  @ApiContract({ summary: 'List the keys of a project', query: KeyListParams })
  async listKeys(@Req() request: AdminRequest, @Param('projectId') projectId: string, @Query() query: unknown) {
    const principal = principalOf(request);
    const project = await this.access.requireProject(principal, 'project.read', projectId);
    const visibility = this.access.visibility(principal, 'key.read', project.org_id);
    const { limit, cursor, ...filters } = parseBody(KeyListParams, query);
    const { rows: keys, nextCursor } = await paginate(
      'keys',
      { limit, cursor },
      (after, size) => this.control.listKeys(projectId, { after, size, ...filters }),
      keysetOf,
      (batch) => batch.filter((key) => visible(visibility, key.team_id, key.user_id)),
    );
    const limits = await this.rateLimits.ofKeys(keys.map((key) => key.id));
    return { data: keys.map((key) => keyView(key, limits.get(key.id) ?? null)), nextCursor };
  }

  /** Changes a key's scopes, expiry or rate limits; every ingress replica refetches it (`control.key.changed.v1`). */
  @Patch('keys/:keyId')
  @Requires('key.write')
  @ApiContract({ summary: 'Change the scopes, expiry or rate limits of a key', body: UpdateKey })
  async updateKey(@Req() request: AdminRequest, @Param('keyId') keyId: string, @Body() body: unknown) {
    await this.access.requireKey(principalOf(request), 'key.write', keyId);
    const { key, limits } = await this.keys.update(actorOf(request), keyId, parseBody(UpdateKey, body));
    return keyView(key, limits);
  }

  /** A new secret, in this response only; the current one keeps working for `overlapSeconds` (default 24 h). */
  @Post('keys/:keyId/rotate')
  @HttpCode(200)
  @Requires('key.write')
  @ApiContract({ summary: 'Rotate a key: a new secret, the old one valid for the overlap', body: RotateKey })
  async rotateKey(@Req() request: AdminRequest, @Param('keyId') keyId: string, @Body() body: unknown) {
    await this.access.requireKey(principalOf(request), 'key.write', keyId);
    const { overlapSeconds } = parseBody(RotateKey, body ?? {});
    const { key, secret } = await this.keys.rotate(actorOf(request), keyId, overlapSeconds);
    const limits = await this.rateLimits.ofKeys([key.id]);
    return { ...keyView(key, limits.get(key.id) ?? null), key: secret };
  }

  @Delete('keys/:keyId')
  @HttpCode(200)
  @Requires('key.write')
  @ApiContract({ summary: 'Revoke a key' })
  async revokeKey(@Req() request: AdminRequest, @Param('keyId') keyId: string) {
    await this.access.requireKey(principalOf(request), 'key.write', keyId);
    return keyView(await this.control.revokeKey(actorOf(request), keyId));
  }
}
