import { Injectable } from '@nestjs/common';
import { CatalogSource } from '@polymux/catalog';
import type {
  AppliedBudgetPressure,
  Classification,
  Deployment,
  ExplainRequest,
  Intake,
  ModelList,
  Plan,
  PlanRequest,
  RequestOf,
  Reservation,
  RoutingExplanation,
} from '@polymux/contracts';
import { Subjects, maxCallCost } from '@polymux/contracts';
import { MessagingClient } from '@polymux/messaging';

import type { HealthSnapshot } from './health/health.service';
import { HealthService } from './health/health.service';
import { weightedOrder } from './health/weighted-order';
import { pressureOf } from './routing/budget-pressure';
import type { DeploymentHealth } from './routing/deployment-health';
import type { Eligible } from './routing/routing';
import { Routing } from './routing/routing';
import type { Reviewed } from './second-opinion/second-opinion';
import { SecondOpinionService } from './second-opinion/second-opinion.service';

const CLASSIFY_TIMEOUT_MS = 2_000;

/** Whose balance and budgets a plan's reservation holds on, and for how long. */
type Hold = Omit<RequestOf<typeof Subjects.reserve>, 'amount'>;

/**
 * What a strategy reads of deployment health, from one plan's snapshot (empty until it is read,
 * and when the store cannot be read: every deployment available, none measured).
 */
class SnapshotHealth implements DeploymentHealth {
  snapshot: HealthSnapshot = new Map();

  available(deploymentId: string): boolean {
    const health = this.snapshot.get(deploymentId);
    return !health || (!health.cooling && health.breaker !== 'open');
  }

  latencyMs(deploymentId: string): number | undefined {
    return this.snapshot.get(deploymentId)?.latencyMs ?? undefined;
  }

  outputTokensPerSecond(deploymentId: string): number | undefined {
    return this.snapshot.get(deploymentId)?.outputTokensPerSecond ?? undefined;
  }
}

/** Each model's deployments in weighted random order where the catalog weighs them; the models' order kept. */
const weightedWithinModels = (candidates: Deployment[]): Deployment[] => {
  const groups: Deployment[][] = [];
  for (const deployment of candidates) {
    const last = groups.at(-1);
    if (last && last[0]!.model === deployment.model) last.push(deployment);
    else groups.push([deployment]);
  }
  return groups.flatMap((group) => weightedOrder(group));
};

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
    private readonly secondOpinion: SecondOpinionService,
  ) {}

  async plan(
    { intake, allowedModels, policy, scopes, accountId, reservationTtlSeconds }: PlanRequest,
    requestId?: string,
  ): Promise<Plan> {
    const hold = { accountId, ttlSeconds: reservationTtlSeconds, ...(scopes ? { scopes } : {}) };
    const view = new SnapshotHealth();
    const eligible = this.eligible({ intake, allowedModels, policy }, view, requestId);
    // Read beside classification and the reservation, so health adds no round trip to the plan.
    const health = this.health.snapshot(eligible.bound.map((deployment) => deployment.id));
    if (intake.endpoint === 'embeddings')
      return this.planEmbeddings(intake, eligible, view, health, hold, policy, requestId);
    // An unsure classification may wait for the second opinion too: still beside the reservation.
    const classifying = this.classify(intake, requestId).then((own) =>
      this.secondOpinion.review(intake, own, requestId),
    );
    // Nothing any task could pick: the classification names the task in the refusal, no hold is taken.
    if (eligible.bound.length === 0) this.route(eligible, intake, (await classifying).classification);
    const reserving = this.messaging.request(
      Subjects.reserve,
      { ...hold, amount: maxCallCost(eligible.bound, intake).toString() },
      { requestId },
    );
    const [classified, reserved] = await Promise.allSettled([classifying, reserving]);
    if (reserved.status === 'rejected') throw reserved.reason;
    try {
      if (classified.status === 'rejected') throw classified.reason;
      view.snapshot = await health;
      // The hold's answer carries the call's budgets: pressure costs the plan no extra hop.
      const pressure = pressureOf(policy, reserved.value.budgets);
      return await this.toPlan(classified.value, intake, eligible, reserved.value, view.snapshot, pressure);
    } catch (error) {
      this.release(hold, reserved.value, requestId);
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
    view: SnapshotHealth,
    health: Promise<HealthSnapshot>,
    hold: Hold,
    policy: PlanRequest['policy'],
    requestId?: string,
  ): Promise<Plan> {
    const reservation = await this.messaging.request(
      Subjects.reserve,
      { ...hold, amount: maxCallCost(eligible.bound, { prompt: intake.prompt }).toString() },
      { requestId },
    );
    view.snapshot = await health;
    const pressure = pressureOf(policy, reservation.budgets);
    return {
      task: 'embeddings',
      confidence: 1,
      signals: intake.signals,
      resolvedFrom: eligible.resolvedFrom,
      ...(await this.ordered(eligible, { task: 'chat', confidence: 1 }, 'low', view.snapshot, pressure)),
      reservation,
    };
  }

  /**
   * The routing decision a plan would make for the request, with every candidate's score or reason
   * for exclusion: classified and routed the same way, but with no reservation and no provider call.
   */
  async explain(
    { intake, allowedModels, policy, scopes }: ExplainRequest,
    requestId?: string,
  ): Promise<RoutingExplanation> {
    const view = new SnapshotHealth();
    const eligible = this.eligible({ intake, allowedModels, policy }, view, requestId);
    const [own, snapshot, pressure] = await Promise.all([
      this.classify(intake, requestId),
      this.health.snapshot(eligible.bound.map((deployment) => deployment.id)),
      policy?.budgetPressure && scopes ? this.pressure(policy, scopes, requestId) : undefined,
    ]);
    view.snapshot = snapshot;
    // Routed on the classifier's task: an explanation calls no provider, so it only says a call would ask.
    const { classification, secondOpinion } = this.secondOpinion.wouldReview(intake, own);
    const complexity = classification.complexity ?? intake.signals.complexity;
    const routed = this.route(eligible, intake, classification, pressure);
    const [first, ...fallbacks] = routed.candidates;
    return {
      task: classification.task,
      complexity,
      confidence: classification.confidence,
      ...(classification.language ? { language: classification.language } : {}),
      ...(classification.inputTokens !== undefined ? { inputTokens: classification.inputTokens } : {}),
      signals: intake.signals,
      resolvedFrom: eligible.resolvedFrom,
      strategy: routed.strategy,
      ...(routed.tier ? { tier: routed.tier } : {}),
      ...(routed.budgetPressure ? { budgetPressure: routed.budgetPressure } : {}),
      candidates: routed.report,
      model: first!.model,
      deploymentId: first!.id,
      fallbacks: fallbacks.map((deployment) => ({ model: deployment.model, deploymentId: deployment.id })),
      ...(secondOpinion ? { secondOpinion } : {}),
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
  private eligible(request: ExplainRequest, health: DeploymentHealth, requestId?: string): Eligible {
    // One catalog for the whole plan, even if a reload swaps it meanwhile.
    return new Routing(this.catalogs.current, health).eligible({
      intake: request.intake,
      allowedModels: request.allowedModels,
      policy: request.policy ?? {},
      requestId: requestId ?? '',
    });
  }

  private classify(intake: Intake, requestId?: string): Promise<Classification> {
    return this.messaging.request(
      Subjects.classify,
      { sample: intake.sample, signals: intake.signals },
      { requestId, timeoutMs: CLASSIFY_TIMEOUT_MS },
    );
  }

  private route(eligible: Eligible, intake: Intake, classification: Classification, pressure?: AppliedBudgetPressure) {
    return eligible.route(
      classification.task,
      classification.complexity ?? intake.signals.complexity,
      pressure,
      classification.inputTokens,
    );
  }

  /**
   * Budget pressure for an explanation, which holds nothing: the call's budgets read from billing.
   * Explaining goes on without it when billing cannot answer.
   */
  private async pressure(
    policy: NonNullable<PlanRequest['policy']>,
    scopes: NonNullable<PlanRequest['scopes']>,
    requestId?: string,
  ): Promise<AppliedBudgetPressure | undefined> {
    try {
      const { budgets } = await this.messaging.request(Subjects.budgets, { call: scopes }, { requestId });
      return pressureOf(
        policy,
        budgets.map((budget) => ({
          budgetId: budget.id,
          scope: budget.scope,
          amount: budget.amount,
          spent: budget.state.spent,
        })),
      );
    } catch {
      return undefined;
    }
  }

  private async toPlan(
    { classification, secondOpinion }: Reviewed,
    intake: Intake,
    eligible: Eligible,
    reservation: Reservation,
    snapshot: HealthSnapshot,
    pressure?: AppliedBudgetPressure,
  ): Promise<Plan> {
    const complexity = classification.complexity ?? intake.signals.complexity;
    return {
      task: classification.task,
      confidence: classification.confidence,
      complexity,
      signals: intake.signals,
      resolvedFrom: eligible.resolvedFrom,
      ...(await this.ordered(eligible, classification, complexity, snapshot, pressure)),
      ...(secondOpinion ? { secondOpinion } : {}),
      reservation,
    };
  }

  /**
   * The strategy's candidates, each model's deployments weighted where the catalog weighs them, then
   * open and cooling deployments moved last (a half-open one claims its probe here).
   */
  private async ordered(
    eligible: Eligible,
    { task, inputTokens }: Classification,
    complexity: Parameters<Eligible['route']>[1],
    snapshot: HealthSnapshot,
    pressure?: AppliedBudgetPressure,
  ): Promise<Pick<Plan, 'candidates' | 'strategy' | 'skipped' | 'budgetPressure'>> {
    const routed = eligible.route(task, complexity, pressure, inputTokens);
    const arranged = await this.health.arrange(weightedWithinModels(routed.candidates), snapshot);
    return {
      candidates: arranged.candidates,
      strategy: routed.strategy,
      ...(arranged.skipped.length > 0 ? { skipped: arranged.skipped } : {}),
      ...(routed.budgetPressure ? { budgetPressure: routed.budgetPressure } : {}),
    };
  }

  /** A plan that fails after its hold was taken gives the hold back; its TTL frees it otherwise. */
  private release({ accountId, scopes }: Hold, reservation: Reservation, requestId?: string): void {
    void this.messaging
      .request(
        Subjects.release,
        { accountId, reservationId: reservation.reservationId, ...(scopes ? { orgId: scopes.orgId } : {}) },
        { requestId },
      )
      .catch(() => undefined);
  }
}
