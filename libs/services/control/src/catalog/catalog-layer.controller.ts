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
import { OpenAiErrorFilter, parseBody } from '@polymux/http';

import { AdminAuthGuard, type AdminRequest } from '../access/admin-auth.guard';
import { Requires } from '../access/requires';
import { actorOf } from '../admin/admin.controller';
import { PageParams, inMemory, keysetOf, paginate } from '../pagination';
import {
  CreateCredential,
  CreateDeployment,
  CreateModel,
  UpdateCredential,
  UpdateDeployment,
  UpdateModel,
} from './catalog-layer.dto';
import { CatalogLayerService } from './catalog-layer.service';
import { credentialView, deploymentView, modelView } from './catalog-layer.views';

/**
 * The admin API of the catalog's admin layer: provider credentials (written, never read back),
 * models and deployments. Ids with `/` (`acme/gpt-4.1`) are sent URL-encoded (`acme%2Fgpt-4.1`).
 */
@Controller('admin/v1')
@UseGuards(AdminAuthGuard)
@UseFilters(OpenAiErrorFilter)
export class CatalogLayerController {
  constructor(private readonly layer: CatalogLayerService) {}

  @Post('credentials')
  @Requires('catalog.write')
  async createCredential(@Req() request: AdminRequest, @Body() body: unknown) {
    const { name, value } = parseBody(CreateCredential, body);
    return credentialView(await this.layer.createCredential(actorOf(request), name, value));
  }

  @Get('credentials')
  @Requires('credential.read')
  async listCredentials(@Query() query: unknown) {
    const source = inMemory(await this.layer.listCredentials(), keysetOf);
    const { rows, nextCursor } = await paginate('credentials', parseBody(PageParams, query), source, keysetOf);
    return { data: rows.map(credentialView), nextCursor };
  }

  @Patch('credentials/:credentialId')
  @Requires('catalog.write')
  async updateCredential(
    @Req() request: AdminRequest,
    @Param('credentialId') credentialId: string,
    @Body() body: unknown,
  ) {
    const changes = parseBody(UpdateCredential, body);
    return credentialView(await this.layer.updateCredential(actorOf(request), credentialId, changes));
  }

  @Delete('credentials/:credentialId')
  @Requires('catalog.write')
  @HttpCode(200)
  async deleteCredential(@Req() request: AdminRequest, @Param('credentialId') credentialId: string) {
    return credentialView(await this.layer.deleteCredential(actorOf(request), credentialId));
  }

  @Post('models')
  @Requires('catalog.write')
  async createModel(@Req() request: AdminRequest, @Body() body: unknown) {
    return modelView(await this.layer.createModel(actorOf(request), parseBody(CreateModel, body)));
  }

  @Get('models')
  @Requires('catalog.read')
  async listModels(@Query() query: unknown) {
    const source = inMemory(await this.layer.listModels(), keysetOf);
    const { rows, nextCursor } = await paginate('models', parseBody(PageParams, query), source, keysetOf);
    return { data: rows.map(modelView), nextCursor };
  }

  @Patch('models/:modelId')
  @Requires('catalog.write')
  async updateModel(@Req() request: AdminRequest, @Param('modelId') modelId: string, @Body() body: unknown) {
    return modelView(await this.layer.updateModel(actorOf(request), modelId, parseBody(UpdateModel, body)));
  }

  @Delete('models/:modelId')
  @Requires('catalog.write')
  @HttpCode(200)
  async deleteModel(@Req() request: AdminRequest, @Param('modelId') modelId: string) {
    return modelView(await this.layer.deleteModel(actorOf(request), modelId));
  }

  @Post('deployments')
  @Requires('catalog.write')
  async createDeployment(@Req() request: AdminRequest, @Body() body: unknown) {
    const { model, ...spec } = parseBody(CreateDeployment, body);
    return deploymentView(await this.layer.createDeployment(actorOf(request), model, spec));
  }

  @Get('deployments')
  @Requires('catalog.read')
  async listDeployments(@Query() query: unknown) {
    const source = inMemory(await this.layer.listDeployments(), keysetOf);
    const { rows, nextCursor } = await paginate('deployments', parseBody(PageParams, query), source, keysetOf);
    return { data: rows.map(deploymentView), nextCursor };
  }

  @Patch('deployments/:deploymentId')
  @Requires('catalog.write')
  async updateDeployment(
    @Req() request: AdminRequest,
    @Param('deploymentId') deploymentId: string,
    @Body() body: unknown,
  ) {
    const changes = parseBody(UpdateDeployment, body);
    return deploymentView(await this.layer.updateDeployment(actorOf(request), deploymentId, changes));
  }

  @Delete('deployments/:deploymentId')
  @Requires('catalog.write')
  @HttpCode(200)
  async deleteDeployment(@Req() request: AdminRequest, @Param('deploymentId') deploymentId: string) {
    return deploymentView(await this.layer.deleteDeployment(actorOf(request), deploymentId));
  }
}
