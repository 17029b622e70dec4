import { Injectable } from '@nestjs/common';
import type { CatalogModel } from '@polymux/catalog';
import { Catalog } from '@polymux/catalog';
import type { Classification, Deployment, ModelList, Plan, PlanRequest } from '@polymux/contracts';
import { ErrorCode, PolymuxException, Subjects } from '@polymux/contracts';
import { MessagingClient } from '@polymux/messaging';

const CLASSIFY_TIMEOUT_MS = 2_000;

/** Why a model cannot serve a request, or null when it can. */
const incapability = (model: CatalogModel, classification: Classification, maxOutputTokens?: number): string | null => {
  const { signals } = classification;
  if (signals.hasTools && !model.capabilities.tools) return 'does not support tool calling';
  if (signals.hasImages && !model.capabilities.vision) return 'does not accept images';
  if (signals.hasResponseFormat && !model.capabilities.jsonSchema) return 'does not support structured output';
  if (signals.estimatedInputTokens + Math.min(maxOutputTokens ?? 0, model.maxOutputTokens) > model.contextWindow) {
    return `has a ${model.contextWindow}-token context window, too small for this request`;
  }
  return null;
};

/** Turns a request into an ordered list of capable, allowed deployments. */
@Injectable()
export class RouterService {
  constructor(
    private readonly catalog: Catalog,
    private readonly messaging: MessagingClient,
  ) {}

  async plan({ request, allowedModels }: PlanRequest, requestId?: string): Promise<Plan> {
    const classification = await this.messaging.request(
      Subjects.classify,
      { request },
      { requestId, timeoutMs: CLASSIFY_TIMEOUT_MS },
    );
    const allowed = (model: CatalogModel, name: string) =>
      allowedModels === null || allowedModels.includes(model.id) || allowedModels.includes(name);

    if (request.model === 'auto') {
      const capable = this.catalog
        .autoModels(classification.task)
        .filter(
          (model) => allowed(model, model.id) && incapability(model, classification, request.maxOutputTokens) === null,
        );
      if (capable.length === 0) {
        throw new PolymuxException(
          ErrorCode.NoCapableModel,
          `no model this key may use can serve this ${classification.task} request`,
          { param: 'model' },
        );
      }
      return this.toPlan(
        classification,
        'auto',
        capable.flatMap((model) => this.catalog.deployments(model)),
      );
    }

    const resolved = this.catalog.resolve(request.model);
    if (!resolved) {
      throw new PolymuxException(ErrorCode.ModelNotFound, `The model \`${request.model}\` does not exist`, {
        param: 'model',
      });
    }
    if (!allowed(resolved.model, request.model)) {
      throw new PolymuxException(ErrorCode.ModelNotAllowed, `this key may not use the model \`${request.model}\``, {
        param: 'model',
      });
    }
    const reason = incapability(resolved.model, classification, request.maxOutputTokens);
    if (reason)
      throw new PolymuxException(ErrorCode.NoCapableModel, `the model \`${request.model}\` ${reason}`, {
        param: 'model',
      });
    return this.toPlan(classification, resolved.resolvedFrom, this.catalog.deployments(resolved.model));
  }

  listModels(allowedModels: string[] | null): ModelList {
    const models = this.catalog
      .listNames()
      .filter(
        (entry) =>
          allowedModels === null || allowedModels.includes(entry.id) || allowedModels.includes(entry.aliasOf ?? ''),
      );
    return { models };
  }

  private toPlan(classification: Classification, resolvedFrom: Plan['resolvedFrom'], candidates: Deployment[]): Plan {
    return {
      task: classification.task,
      confidence: classification.confidence,
      signals: classification.signals,
      resolvedFrom,
      candidates,
    };
  }
}
