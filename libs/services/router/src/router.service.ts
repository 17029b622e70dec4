import { Injectable } from '@nestjs/common';
import type { Catalog, CatalogModel } from '@polymux/catalog';
import { CatalogSource } from '@polymux/catalog';
import type {
  Classification,
  Deployment,
  Intake,
  ModelList,
  Plan,
  PlanRequest,
  Reservation,
  TaskType,
} from '@polymux/contracts';
import { ErrorCode, PolymuxException, Subjects, maxCallCost } from '@polymux/contracts';
import { MessagingClient } from '@polymux/messaging';

import { embeddingIncapability, refuseAutoEmbeddings } from './embedding-models';
import type { HealthSnapshot } from './health/health.service';
import { HealthService } from './health/health.service';
import { isWeighted, weightedOrder } from './health/weighted-order';

const CLASSIFY_TIMEOUT_MS = 2_000;

/** Why a model cannot serve a request, or null when it can. */
const chatIncapability = (model: CatalogModel, { signals, maxOutputTokens }: Intake): string | null => {
  if (model.capabilities.embeddings) return 'is an embeddings model: call it on POST /v1/embeddings';
  if (signals.hasTools && !model.capabilities.tools) return 'does not support tool calling';
  if (signals.hasImages && !model.capabilities.vision) return 'does not accept images';
  if (signals.hasResponseFormat && !model.capabilities.jsonSchema) return 'does not support structured output';
  if (signals.estimatedInputTokens + Math.min(maxOutputTokens ?? 0, model.maxOutputTokens) > model.contextWindow) {
    return `has a ${model.contextWindow}-token context window, too small for this request`;
  }
  return null;
};

const incapability = (model: CatalogModel, intake: Intake): string | null =>
  intake.endpoint === 'embeddings' ? embeddingIncapability(model, intake) : chatIncapability(model, intake);

/** Which models a request may go to, before its task is known. */
interface Eligible {
  resolvedFrom: Plan['resolvedFrom'];
  /** The candidates once the task is known. */
  candidates(task: TaskType): Deployment[];
  /** Every deployment `candidates` can return, whatever the task: what the reservation covers. */
  bound: Deployment[];
}

/**
 * Turns a request's intake into an ordered list of capable, allowed deployments and holds the
 * call's maximum cost on them. Classification and the reservation do not depend on each other, so
 * they run at the same time: a plan costs ingress one round trip and the call's critical path two.
 */
@Injectable()
export class RouterService {
  constructor(
    private readonly catalogs: CatalogSource,
    private readonly messaging: MessagingClient,
    private readonly health: HealthService,
  ) {}

  async plan(
    { intake, allowedModels, accountId, reservationTtlSeconds }: PlanRequest,
    requestId?: string,
  ): Promise<Plan> {
    const eligible = this.eligible(intake, allowedModels);
    // Read beside classification and the reservation, so health adds no round trip to the plan.
    const health = this.health.snapshot(eligible.bound.map((deployment) => deployment.id));
    if (intake.endpoint === 'embeddings')
      return this.planEmbeddings(intake, eligible, health, accountId, reservationTtlSeconds, requestId);
    const classifying = this.messaging.request(
      Subjects.classify,
      { sample: intake.sample, signals: intake.signals },
      { requestId, timeoutMs: CLASSIFY_TIMEOUT_MS },
    );
    // Nothing any task could pick: the classification names the task in the refusal, no hold is taken.
    if (eligible.bound.length === 0) eligible.candidates((await classifying).task);
    const reserving = this.messaging.request(
      Subjects.reserve,
      { accountId, amount: maxCallCost(eligible.bound, intake).toString(), ttlSeconds: reservationTtlSeconds },
      { requestId },
    );
    const [classified, reserved] = await Promise.allSettled([classifying, reserving]);
    if (reserved.status === 'rejected') throw reserved.reason;
    try {
      if (classified.status === 'rejected') throw classified.reason;
      return await this.toPlan(classified.value, intake, eligible, reserved.value, await health);
    } catch (error) {
      this.release(accountId, reserved.value, requestId);
      throw error;
    }
  }

  /**
   * An embeddings call is not classified (the endpoint is its task): only the hold is taken, for
   * its input bound at the dearest candidate's input price, since an embedding produces no tokens.
   */
  private async planEmbeddings(
    intake: Intake,
    eligible: Eligible,
    health: Promise<HealthSnapshot>,
    accountId: string,
    ttlSeconds: number,
    requestId?: string,
  ): Promise<Plan> {
    const reservation = await this.messaging.request(
      Subjects.reserve,
      { accountId, amount: maxCallCost(eligible.bound, { prompt: intake.prompt }).toString(), ttlSeconds },
      { requestId },
    );
    return {
      task: 'embeddings',
      confidence: 1,
      signals: intake.signals,
      resolvedFrom: eligible.resolvedFrom,
      ...(await this.ordered(weightedOrder(eligible.bound), await health)),
      reservation,
    };
  }

  /**
   * The models a key may call by their own id (which allows every alias of theirs too). Aliases are
   * not listed as models: `GET /v1/models/{id}` answers exactly this set, and an alias is a name.
   */
  listModels(allowedModels: string[] | null): ModelList {
    const models = this.catalogs.current
      .models()
      .filter((model) => allowedModels === null || allowedModels.includes(model.id));
    return { models };
  }

  /** Refuses at once what no task could make servable: an unknown, forbidden or incapable model. */
  private eligible(intake: Intake, allowedModels: string[] | null): Eligible {
    // One catalog for the whole plan, even if a reload swaps it meanwhile.
    const catalog: Catalog = this.catalogs.current;
    const allowed = (model: CatalogModel, name: string) =>
      allowedModels === null || allowedModels.includes(model.id) || allowedModels.includes(name);
    // `auto` never picks an unpriced model: it could not be billed.
    const usable = (model: CatalogModel) =>
      allowed(model, model.id) && catalog.isPriced(model) && incapability(model, intake) === null;

    if (intake.model === 'auto') {
      if (intake.endpoint === 'embeddings') refuseAutoEmbeddings();
      return {
        resolvedFrom: 'auto',
        bound: catalog
          .autoModelsOfAnyTask()
          .filter(usable)
          .flatMap((model) => catalog.deployments(model)),
        candidates: (task) => {
          const capable = catalog.autoModels(task).filter(usable);
          if (capable.length === 0) {
            throw new PolymuxException(
              ErrorCode.NoCapableModel,
              `no model this key may use can serve this ${task} request`,
              { param: 'model' },
            );
          }
          return capable.flatMap((model) => weightedOrder(catalog.deployments(model)));
        },
      };
    }

    const resolved = catalog.resolve(intake.model);
    if (!resolved) {
      throw new PolymuxException(ErrorCode.ModelNotFound, `The model \`${intake.model}\` does not exist`, {
        param: 'model',
      });
    }
    if (!allowed(resolved.model, intake.model)) {
      throw new PolymuxException(ErrorCode.ModelNotAllowed, `this key may not use the model \`${intake.model}\``, {
        param: 'model',
      });
    }
    const reason = incapability(resolved.model, intake);
    if (reason) {
      throw new PolymuxException(ErrorCode.NoCapableModel, `the model \`${intake.model}\` ${reason}`, {
        param: 'model',
      });
    }
    if (!catalog.isPriced(resolved.model)) {
      throw new PolymuxException(
        ErrorCode.NoCapableModel,
        `the model \`${intake.model}\` has no price in this gateway's catalog yet, so its calls cannot be billed; ask the platform team to price it`,
        { param: 'model' },
      );
    }
    const deployments = catalog.deployments(resolved.model);
    return { resolvedFrom: resolved.resolvedFrom, bound: deployments, candidates: () => weightedOrder(deployments) };
  }

  private async toPlan(
    classification: Classification,
    intake: Intake,
    eligible: Eligible,
    reservation: Reservation,
    health: HealthSnapshot,
  ): Promise<Plan> {
    return {
      task: classification.task,
      confidence: classification.confidence,
      complexity: classification.complexity ?? intake.signals.complexity,
      signals: intake.signals,
      resolvedFrom: eligible.resolvedFrom,
      ...(await this.ordered(eligible.candidates(classification.task), health)),
      reservation,
    };
  }

  /** The strategy's order with unhealthy deployments moved last (`HealthService.arrange`). */
  private async ordered(
    candidates: Deployment[],
    health: HealthSnapshot,
  ): Promise<Pick<Plan, 'candidates' | 'strategy' | 'skipped'>> {
    const arranged = await this.health.arrange(candidates, health);
    return {
      candidates: arranged.candidates,
      strategy: isWeighted(candidates) ? 'weighted' : 'ordered',
      ...(arranged.skipped.length > 0 ? { skipped: arranged.skipped } : {}),
    };
  }

  /** A plan that fails after its hold was taken gives the hold back; its TTL frees it otherwise. */
  private release(accountId: string, reservation: Reservation, requestId?: string): void {
    void this.messaging
      .request(Subjects.release, { accountId, reservationId: reservation.reservationId }, { requestId })
      .catch(() => undefined);
  }
}
