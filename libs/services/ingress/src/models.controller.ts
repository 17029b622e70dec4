import { Controller, Get, Param, Req, Res, UseFilters } from '@nestjs/common';
import type { ApiKeyRecord, ModelInfo } from '@polymux/contracts';
import { ErrorCode, Headers, PolymuxException, Subjects } from '@polymux/contracts';
import { MessagingClient } from '@polymux/messaging';
import type { FastifyReply, FastifyRequest } from 'fastify';

import { checkAnthropicVersion } from './anthropic/anthropic-version';
import { Authenticator } from './auth/authenticator';
import { CallerFormatErrorFilter } from './formats/caller-format.filter';
import { anthropicModelPage, isAnthropicCaller, toAnthropicModel } from './models/anthropic-models';
import { newRequestId } from './request-id';

type ListedPrices = NonNullable<ModelInfo['pricing']>;

const toOpenAiTokenPrices = ({
  cachedInput,
  cacheWrite,
  imageInput,
  ...base
}: Omit<ListedPrices, 'perRequest' | 'tiers'>) => ({
  ...base,
  ...(cachedInput === undefined ? {} : { cached_input: cachedInput }),
  ...(cacheWrite === undefined ? {} : { cache_write: cacheWrite }),
  ...(imageInput === undefined ? {} : { image_input: imageInput }),
});

const toOpenAiPricing = ({ perRequest, tiers, ...prices }: ListedPrices) => ({
  ...toOpenAiTokenPrices(prices),
  ...(perRequest === undefined ? {} : { per_request: perRequest }),
  ...(tiers === undefined
    ? {}
    : {
        tiers: tiers.map(({ aboveInputTokens, ...tier }) => ({
          above_input_tokens: aboveInputTokens,
          ...toOpenAiTokenPrices(tier),
        })),
      }),
});

/** OpenAI's model object, plus what a caller choosing among Polymux's models wants to know. */
const toOpenAiModel = (model: ModelInfo) => ({
  id: model.id,
  object: 'model' as const,
  created: 0,
  owned_by: model.ownedBy,
  context_window: model.contextWindow,
  max_output_tokens: model.maxOutputTokens,
  capabilities: {
    tools: model.capabilities.tools,
    parallel_tools: model.capabilities.parallelTools,
    vision: model.capabilities.vision,
    json_schema: model.capabilities.jsonSchema,
    reasoning: model.capabilities.reasoning,
    embeddings: model.capabilities.embeddings,
    streaming: model.capabilities.streaming,
  },
  ...(model.qualityTier ? { quality_tier: model.qualityTier } : {}),
  /** USD per million tokens (`per_request`: USD per call); null: unpriced, not callable until priced. */
  pricing: model.pricing && toOpenAiPricing(model.pricing),
  aliases: model.aliases,
});

/**
 * `GET /v1/models` and `GET /v1/models/{id}`: the catalog models this key may use, in OpenAI's
 * format, or in Anthropic's (paged by `limit`, `after_id` and `before_id`) for an Anthropic client.
 * Aliases are names, listed on their model: retrieving one is a 404, as is a model the key may not
 * use (a key learns nothing of models outside its scope).
 */
@Controller()
@UseFilters(CallerFormatErrorFilter)
export class ModelsController {
  constructor(
    private readonly keys: Authenticator,
    private readonly messaging: MessagingClient,
  ) {}

  @Get('v1/models')
  async list(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const anthropic = this.caller(request);
    const requestId = this.start(reply, anthropic);
    const key = await this.keys.authenticate(request, requestId, 'models');
    const models = await this.models(key, requestId);
    await reply.send(
      anthropic ? anthropicModelPage(models, request.query) : { object: 'list', data: models.map(toOpenAiModel) },
    );
  }

  @Get('v1/models/:model')
  async retrieve(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Param('model') id: string,
  ): Promise<void> {
    const anthropic = this.caller(request);
    const requestId = this.start(reply, anthropic);
    const key = await this.keys.authenticate(request, requestId, 'models');
    const model = (await this.models(key, requestId)).find((candidate) => candidate.id === id);
    if (!model) {
      throw new PolymuxException(
        ErrorCode.ModelNotFound,
        `The model \`${id}\` does not exist or you do not have access to it.`,
        {
          param: 'model',
        },
      );
    }
    await reply.send(anthropic ? toAnthropicModel(model) : toOpenAiModel(model));
  }

  /** Whether to answer in Anthropic's format; its version header is checked as on `/v1/messages`. */
  private caller(request: FastifyRequest): boolean {
    const anthropic = isAnthropicCaller(request.headers);
    if (anthropic) checkAnthropicVersion(request.headers);
    return anthropic;
  }

  private start(reply: FastifyReply, anthropic: boolean): string {
    const requestId = newRequestId();
    void reply.header(Headers.requestId, requestId).header(Headers.model, 'none').header(Headers.task, 'none');
    // Anthropic's SDK reads the request id from `request-id`.
    if (anthropic) void reply.header('request-id', requestId);
    return requestId;
  }

  private async models(key: ApiKeyRecord, requestId: string): Promise<ModelInfo[]> {
    const { models } = await this.messaging.request(
      Subjects.listModels,
      { allowedModels: key.allowedModels },
      { requestId },
    );
    return models;
  }
}
