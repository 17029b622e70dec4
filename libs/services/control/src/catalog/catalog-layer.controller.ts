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
import { ApiContract } from '../openapi/api-contract';
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
  @ApiContract({ summary: 'Store a provider credential', body: CreateCredential })
  async createCredential(@Req() request: AdminRequest, @Body() body: unknown) {
    const { name, value } = parseBody(CreateCredential, body);
    return credentialView(await this.layer.createCredential(actorOf(request), name, value));
  }

  @Get('credentials')
  @Requires('credential.read')
  @ApiContract({ summary: 'List provider credentials (never their values)', query: PageParams })
  async listCredentials(@Query() query: unknown) {
    const source = inMemory(await this.layer.listCredentials(), keysetOf);
    const { rows, nextCursor } = await paginate('credentials', parseBody(PageParams, query), source, keysetOf);
    return { data: rows.map(credentialView), nextCursor };
  }

  @Patch('credentials/:credentialId')
  @Requires('catalog.write')
  @ApiContract({ summary: 'Change a provider credential', body: UpdateCredential })
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
  @ApiContract({ summary: 'Delete a provider credential' })
  async deleteCredential(@Req() request: AdminRequest, @Param('credentialId') credentialId: string) {
    return credentialView(await this.layer.deleteCredential(actorOf(request), credentialId));
  }

  @Post('models')
  @Requires('catalog.write')
  @ApiContract({ summary: 'Add a model to the catalog', body: CreateModel })
  async createModel(@Req() request: AdminRequest, @Body() body: unknown) {
    return modelView(await this.layer.createModel(actorOf(request), parseBody(CreateModel, body)));
  }

  @Get('models')
  @Requires('catalog.read')
  @ApiContract({ summary: 'List the models of the admin catalog layer', query: PageParams })
  async listModels(@Query() query: unknown) {
    const source = inMemory(await this.layer.listModels(), keysetOf);
    const { rows, nextCursor } = await paginate('models', parseBody(PageParams, query), source, keysetOf);
    return { data: rows.map(modelView), nextCursor };
  }

  @Patch('models/:modelId')
  @Requires('catalog.write')
  @ApiContract({ summary: 'Change a model', body: UpdateModel })
  async updateModel(@Req() request: AdminRequest, @Param('modelId') modelId: string, @Body() body: unknown) {
    return modelView(await this.layer.updateModel(actorOf(request), modelId, parseBody(UpdateModel, body)));
  }

  @Delete('models/:modelId')
  @Requires('catalog.write')
  @HttpCode(200)
  @ApiContract({ summary: 'Delete a model' })
  async deleteModel(@Req() request: AdminRequest, @Param('modelId') modelId: string) {
    return modelView(await this.layer.deleteModel(actorOf(request), modelId));
  }

  @Post('deployments')
  @Requires('catalog.write')
  @ApiContract({ summary: 'Add a deployment of a model', body: CreateDeployment })
  async createDeployment(@Req() request: AdminRequest, @Body() body: unknown) {
    const { model, ...spec } = parseBody(CreateDeployment, body);
    return deploymentView(await this.layer.createDeployment(actorOf(request), model, spec));
  }

  @Get('deployments')
  @Requires('catalog.read')
  @ApiContract({ summary: 'List the deployments of the admin catalog layer', query: PageParams })
  async listDeployments(@Query() query: unknown) {
    const source = inMemory(await this.layer.listDeployments(), keysetOf);
    const { rows, nextCursor } = await paginate('deployments', parseBody(PageParams, query), source, keysetOf);
    return { data: rows.map(deploymentView), nextCursor };
  }

  @Patch('deployments/:deploymentId')
  @Requires('catalog.write')
  @ApiContract({ summary: 'Change a deployment', body: UpdateDeployment })
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
  @ApiContract({ summary: 'Delete a deployment' })
  async deleteDeployment(@Req() request: AdminRequest, @Param('deploymentId') deploymentId: string) {
    return deploymentView(await this.layer.deleteDeployment(actorOf(request), deploymentId));
  }
}
